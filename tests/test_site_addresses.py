"""site/addresses.py: the site's addresses, declared once, equal to mkdocs.yml's."""
from __future__ import annotations

import pytest
import yaml

from flopdocs.base.resources import MKDOCS_YML
from flopdocs.errors import BuildError
from flopdocs.site.addresses import REPO_URL, SITE_URL, release_path


def test_mkdocs_yml_says_the_same_addresses():
    conf = yaml.load(MKDOCS_YML.read_text(encoding="utf-8"), Loader=yaml.BaseLoader)
    assert conf["site_url"] == SITE_URL
    assert REPO_URL in [link["link"] for link in conf["extra"]["social"]]


@pytest.mark.parametrize("version, path", [("0.2.0", "0.2"), ("0.10.3", "0.10"), ("1.0", "1.0"),
                                           ("0.3.0rc1", "0.3")])
def test_a_release_path_is_its_minor(version, path):
    assert release_path(version) == path


@pytest.mark.parametrize("version", ["", "latest", "0", "v0.2.0", "0.2.0/../x"])
def test_a_version_that_is_not_one_is_refused(version):
    with pytest.raises(BuildError):
        release_path(version)

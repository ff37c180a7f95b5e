"""The Audits page: each built-in audit's claims over the site's catalogue."""
import shutil

from flopdocs.config.catalogue import DIRECTORY
from flopdocs.site import render
from flopdocs.site.pages import audits as audits_page
from flopdocs.site.gather import gather


def test_each_claim_is_audited_per_structure_or_says_why_not(tmp_path, monkeypatch):
    monkeypatch.setenv("FLOPDOCS_CACHE_DIR", "off")
    for name in ("gpt-2-small", "t5-base"):
        shutil.copy(DIRECTORY / f"{name}.yaml", tmp_path)
    data = gather(tmp_path)
    audits = {a["name"]: a for a in audits_page.context(data)["audits"]}
    claims = {c["convention"]: c for c in audits["megatron-2023"]["claims"]}
    # f = 4h in the 60: GPT-2 small's structure is Narayanan eq. 3 exactly; T5 is not counted by it
    [gpt2, t5] = claims["megatron"]["structures"]
    assert gpt2["equal"] and gpt2["models"][0]["slug"] == "gpt-2-small"
    assert "decoder-only" in t5["skipped"]
    assert "PR #682" in audits["megatron-2023"]["issue"]
    path, text = audits_page.page(render.environment(), data, lambda *a: render._cite(*a, "unknown", ""))
    assert path == "audits.md"
    assert "{ #megatron-2023-megatron }" in text and "equal for every config" in text


def test_a_catalogue_no_convention_counts_is_a_note_not_a_failure(tmp_path, monkeypatch):
    monkeypatch.setenv("FLOPDOCS_CACHE_DIR", "off")
    shutil.copy(DIRECTORY / "t5-base.yaml", tmp_path)
    audits = {a["name"]: a for a in audits_page.context(gather(tmp_path))["audits"]}
    [palm] = [c for c in audits["nanogpt"]["claims"] if c["convention"] == "palm"]
    assert "decoder-only" in palm["none"]

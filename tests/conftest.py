import pytest

from flopdocs.config import parse


@pytest.fixture
def seed_config():
    """The seed's first config (In [44])."""
    return parse({"name": "Seed 512", "l": 512, "d_model": 512, "d_ff": 4096,
                  "n_vocab": 30000, "n_layers": 6, "n_heads": 8}, "<test>")

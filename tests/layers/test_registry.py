"""Every registered layer: an example cost tree, and a parameter tree with the same names."""
import pytest

from flopdocs.layers import all_layers
from flopdocs.tree import names

NEW = {"GroupedQueryAttention", "GatedFFN", "RMSNorm", "RotaryEmbedding", "WindowedAttention",
       "CrossAttention", "MixtureOfExperts", "DecoderBlock", "EncoderDecoder"}
PARAMETER_ONLY = {"X_word", "X_pos", "gamma", "beta", "Block", "DecoderBlock"}


def test_new_layers_are_registered():
    assert NEW <= {L.name for L in all_layers()}


@pytest.mark.parametrize("layer", all_layers(), ids=lambda L: L.name)
def test_example_and_params(layer):
    tree = layer.example()
    assert tree.name == tree.layer == layer.name
    assert layer.summary and layer.notes
    if layer.params is not None:
        p = layer.params()
        assert p.name == layer.name
        assert names(p) <= names(tree) | PARAMETER_ONLY


"""Every registered layer: an example cost tree whose leaves say their kind, role and weights."""
import pytest

from flopdocs.structure.layers import all_layers
from flopdocs.structure.params import check_ties, parameter_tree
from flopdocs.structure.roles import KINDS, ROLES
from flopdocs.structure.tree import leaves, names

NEW = {"GroupedQueryAttention", "GatedFFN", "RMSNorm", "RotaryEmbedding", "WindowedAttention",
       "CrossAttention", "MixtureOfExperts", "DecoderBlock", "EncoderDecoder"}


def test_new_layers_are_registered():
    assert NEW <= {L.name for L in all_layers()}


@pytest.mark.parametrize("layer", all_layers(), ids=lambda L: L.name)
def test_example_leaves_have_kind_role_and_parameters_from_the_structure(layer):
    tree = layer.example()
    assert tree.name == tree.layer == layer.name
    assert layer.summary and layer.notes
    for path, leaf in leaves(tree):
        assert leaf.kind in KINDS and leaf.role in ROLES, path
    check_ties(tree)
    p = parameter_tree(tree)
    if p is not None:  # the parameter tree keeps the cost tree's nodes around the weights
        assert p.name == layer.name
        assert {n for n in names(p) if n not in {w.name for _, x in leaves(tree) for w in x.weights}} \
            <= names(tree)

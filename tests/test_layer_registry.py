"""Every layer module registers itself; the site needs no list of them."""
from pathlib import Path

import flopdocs.structure.layers as layers
from flopdocs.structure.layers import all_layers


def test_every_layer_module_is_registered_without_a_list():
    found = {layer.build.__module__.rsplit(".", 1)[1] for layer in all_layers()}
    modules = {p.stem for p in Path(layers.__file__).parent.glob("*.py") if p.stem != "__init__"}
    assert found == modules  # one (or more) registered layers per module, none missed
    names = [layer.name for layer in all_layers()]
    assert names == sorted(names)
    assert {"MultiHeadAttention", "GroupedQueryAttention", "MixtureOfExperts", "RMSNorm"} <= set(names)


def test_layer_slugs_are_unique_and_stable():
    slugs = {layer.name: layer.slug for layer in all_layers()}
    assert len(set(slugs.values())) == len(slugs)
    assert slugs["MultiHeadAttention"] == "multi-head-attention"
    assert slugs["ScaledDotProductAttention"] == "scaled-dot-product-attention"

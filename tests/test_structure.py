"""One structure, many counts: leaf kinds and roles, grouping by role family, parameters
from the structure's declared weights, conventions as rules, layers free of configs."""
import ast
from pathlib import Path

import pytest
import sympy
from hypothesis import given, settings, strategies as st

import flopdocs
from flopdocs.structure import params
from flopdocs.counting.analysis import SEED_GROUPS, analyse
from flopdocs.config.catalogue import find, models
from flopdocs.config.config import parse
from flopdocs.conventions import CONVENTIONS, applied, seed
from flopdocs.structure.build import structure
from flopdocs.structure.layers.embeddings import embeddings
from flopdocs.structure.layers.transformer import lm_head
from flopdocs.config.arch import Arch
from flopdocs.structure.ops import matmul, weight
from flopdocs.structure.roles import FAMILIES, KINDS, ROLES, family_of
from flopdocs.config.symbols import d_model, l, n_vocab
from flopdocs.structure.tree import leaves, node, to_dict, walk


@pytest.mark.parametrize("cfg", models(), ids=lambda c: c.name)
def test_every_leaf_has_a_kind_and_a_role_and_by_sums_are_exact(cfg):
    for name in ("flopdocs", "seed"):  # the tree conventions
        a = analyse(cfg, name)
        assert all(n.kind in KINDS and n.role in ROLES for _, n in leaves(a.tree))
        assert sum(a.by_kind.values()) == sum(a.by_role.values()) == a.total
        assert list(a.by_kind) == list(KINDS) and list(a.by_role) == list(ROLES)


def test_seed_by_kind_and_role_by_hand():
    a = analyse(find("seed-512"), "seed")
    # transcendental: e^x 6 layers * 8 heads * 512² = 12,582,912, plus LayerNorm's denominators
    # 2·n = 1,024 per norm, 13 norms (2 per layer + final): 13,312 -> 12,596,224
    assert a.by_kind["transcendental"] == 6 * 8 * 512**2 + 13 * 2 * 512 == 12_596_224
    assert a.by_kind["comparison"] == a.by_kind["lookup"] == 0
    # attention-softmax: the seed's three steps, 3 * 6 * 8 * 512² = 37,748,736
    assert a.by_role["attention-softmax"] == 37_748_736
    # attention-values: P·V, 6 * 8 * 2*512*64*512 = 1,610,612,736
    assert a.by_role["attention-values"] == 1_610_612_736
    assert a.by_role["embedding"] == 512 * 512  # X_word + X_pos
    assert a.by_role["router"] == a.by_role["position"] == 0


def test_grouped_analysis_by_role_family_is_the_seeds_in_74():
    a = analyse(find("seed-512"), "seed")
    assert a.grouped_default == a.grouped(SEED_GROUPS)
    assert a.default_groups() == ("Embeddings", "LayerNorm_Final", "LayerNorms",
                                  "ScaledDotProductAttention", "PositionWiseFFN")


def test_grouped_analysis_keeps_what_no_family_holds():
    # Llama: the rotary embedding (role position) stays split; the MoE FFN (ffn + router) is one
    llama = analyse(find("llama-2-7b")).grouped_default
    mha = llama["Blocks", "MultiHeadAttention"]
    assert mha["RotaryEmbedding"].keys() == ["rotate q", "rotate k"]
    assert mha["ScaledDotProductAttention"].is_leaf
    mixtral = analyse(find("mixtral-8x7b")).grouped_default
    assert mixtral["Blocks", "MixtureOfExperts"].is_leaf
    assert mixtral["Blocks", "MixtureOfExperts"].role is None  # ffn and router: mixed roles
    gopher = analyse(find("gopher-280b")).grouped_default  # relative scores are attention-scores
    assert gopher["Blocks", "MultiHeadAttention", "ScaledDotProductAttention"].is_leaf
    assert not gopher["Blocks", "MultiHeadAttention", "R * W_R"].children


def test_families_hold_known_roles_and_a_role_has_one_family():
    assert all(roles <= ROLES.keys() for roles in FAMILIES.values())
    seen = [r for roles in FAMILIES.values() for r in roles]
    assert len(seen) == len(set(seen))
    assert family_of("router") == family_of("ffn") == "ffn" and family_of("lm-head") is None


@settings(max_examples=40, deadline=None)
@given(st.integers(1, 16), st.integers(1, 64), st.integers(1, 4096), st.integers(1, 20000),
       st.integers(1, 8), st.sampled_from(["relu", "swiglu"]), st.sampled_from(["learned", "rope"]))
def test_conventions_differ_only_where_their_rules_say(heads, d_k, length, width, layers, ffn, pos):
    cfg = parse({"name": "r", "l": length, "d_model": heads * d_k, "d_ff": width, "n_vocab": 1000,
                 "n_layers": layers, "n_heads": heads, "ffn": ffn, "position": pos}, "<t>")
    s, c = analyse(cfg, "seed"), analyse(cfg, "corrected")
    # the rules recount norms, FFN biases and the softmax: every matmul is the same
    assert s.by_kind["matmul"] == c.by_kind["matmul"]
    assert {r: v for r, v in s.by_role.items() if r not in ("norm", "ffn", "attention-softmax")} == \
        {r: v for r, v in c.by_role.items() if r not in ("norm", "ffn", "attention-softmax")}
    # the softmax's division: one FLOP per score, l² per head per layer
    assert c.by_role["attention-softmax"] - s.by_role["attention-softmax"] == layers * heads * length**2
    assert s.params == c.params  # parameters come from the structure, not the convention


def test_seed_rules_name_leaves_that_exist():
    """A rule for a leaf the structure does not have would silently count nothing."""
    everything = {(n.layer, c.name) for cfg in models() for _, n in walk(structure(cfg.arch))
                  if n.layer for c in _leaves_under(n)}
    assert set(seed.RULES) <= everything


def _leaves_under(layer_node):
    """Leaves whose nearest enclosing layer is ``layer_node``."""
    for child in layer_node.children:
        if child.is_leaf:
            yield child
        elif child.layer is None:
            yield from _leaves_under(child)


def test_parameters_come_from_declared_weights_and_ties():
    # the LM head declares W_LM; tied, it is a use of X_word and counts nothing itself
    tied = node("T", [*embeddings(l, d_model, n_vocab).children,
                      *lm_head(l, d_model, n_vocab, Arch(tie_embeddings=True))])
    untied = node("T", [*embeddings(l, d_model, n_vocab).children, *lm_head(l, d_model, n_vocab, Arch())])
    assert sympy.expand(params.parameter_tree(untied).total - params.parameter_tree(tied).total) == \
        d_model * n_vocab
    params.check_ties(tied)
    dangling = node("T", [matmul("ProjectToVocab", l, d_model, n_vocab, role="lm-head",
                                 weights=weight("W_LM", d_model, n_vocab, tied_to="X_word"))])
    with pytest.raises(ValueError, match="tied to 'X_word'"):
        params.check_ties(dangling)


def test_experts_store_n_copies_and_use_k():
    p = analyse(find("mixtral-8x7b")).params
    # per layer, one expert 3 * 4096 * 14336 = 176,160,768; 8 stored, 2 used; 32 layers
    assert p.total - p.active == 32 * 6 * 176_160_768


def test_layer_modules_import_neither_config_nor_conventions():
    root = Path(flopdocs.__file__).parent / "layers"
    for path in sorted(root.glob("*.py")):
        for n in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(n, ast.ImportFrom):
                mod = n.module or ""
                assert not mod.split(".")[-1] in ("config", "conventions", "keys", "hf"), (path.name, mod)
                assert "conventions" not in mod and "config" not in mod, (path.name, mod)


def test_no_module_is_long():
    root = Path(flopdocs.__file__).parent
    long = {str(p.relative_to(root)): n for p in root.rglob("*.py")
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > 300}
    assert long == {}


def test_counting_a_layer_keeps_its_repetition():
    # the seed's LayerNorm rule applies inside repeats: 13 LayerNorms of seed-512 count 7·n
    # per-row FLOPs each (mean's n, three var_x steps, numerator n, denominator 2n)
    a = analyse(find("seed-512"))
    norms = a.tree["Blocks", "LayerNorms"]
    assert norms["var_x", "/ m"].value == 6 * 2 * 512
    assert to_dict(applied(structure(Arch()), "seed")) == to_dict(seed.build())


def test_readme_key_table_is_the_declared_one():
    from flopdocs.config.keys import markdown_table

    readme = (Path(flopdocs.__file__).parents[1] / "README.md").read_text(encoding="utf-8")
    start = readme.index("<!-- keys: generated by `python -m flopdocs.config.keys` -->\n")
    table = readme[start:readme.index("<!-- /keys -->")].split("\n", 1)[1]
    assert table == markdown_table()

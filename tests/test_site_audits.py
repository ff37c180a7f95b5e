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
    made = audits_page.pages(render.environment(), data, lambda *a: render._cite(*a, "unknown", ""))
    # the index and one page per audit (its differences: 11 x ~50 formulas on one page made
    # ~400,000 elements)
    assert sorted(made) == ["audits.md", *sorted(audits_page.page_of(n) for n in audits_page.names())]
    assert "{ #megatron-2023-megatron }" in made["audits.md"]
    one = made["audits/megatron-2023.md"]
    assert "{ #megatron-2023-megatron }" in one and "equal for every config" in one
    # nanoGPT's 6N + 12 L H Q T against PaLM's count: GPT-2 small differs by
    # -6 d_model max_positions (nanoGPT's N leaves out the position table, PaLM's N counts it),
    # T5 is not counted by PaLM (not decoder-only); the index
    # says so and links to the differences on nanoGPT's own page
    assert ("Differs for 1 of 2 structures (1 not audited): the exact difference of each is on"
            " [nanoGPT estimate&#95;mfu: the differences](audits/nanogpt.md#nanogpt-palm).\n\n"
            in made["audits.md"])
    assert "{ #nanogpt-palm }" in made["audits/nanogpt.md"]


def test_a_catalogue_no_convention_counts_is_a_note_not_a_failure(tmp_path, monkeypatch):
    monkeypatch.setenv("FLOPDOCS_CACHE_DIR", "off")
    shutil.copy(DIRECTORY / "t5-base.yaml", tmp_path)
    audits = {a["name"]: a for a in audits_page.context(gather(tmp_path))["audits"]}
    [palm] = [c for c in audits["nanogpt"]["claims"] if c["convention"] == "palm"]
    assert "decoder-only" in palm["none"]

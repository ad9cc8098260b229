"""Per-input seeds: the declared rule is re-derived (SA208), shared seeds void the population bound (SA207).

Reference seeds were computed outside Python with coreutils:
``printf 'certs-seed:0:17' | sha256sum`` → first 8 bytes ``6173501f79ecd802``, read little-endian, top bit
cleared → 205173788005921633 (and ``certs-seed:5:3`` → 1680143439823492023).
"""

from __future__ import annotations

import pytest
from verify_builders import entry, predicate, statement

from audit.format.seeds import SEED_RULE, entry_index, expected_seed, seed_for
from audit.verify.pipeline import VerifyOptions, verify_statement
from audit.verify.policy import parse_policy
from audit.verify.verdicts import Verdict

COUNTS = [99000, 500, 500] + [0] * 7  # supports radius 0.5 at sigma 0.25 (see test_population_gate)
OPTS = VerifyOptions(workers=1, slack=False)


def test_seed_rule_matches_an_independent_sha256() -> None:
    assert seed_for(0, 17) == 205173788005921633
    assert seed_for(5, 3) == 1680143439823492023
    assert expected_seed(SEED_RULE, 0, "digits-test:17") == 205173788005921633
    with pytest.raises(ValueError, match="unknown seed rule"):
        expected_seed("other-v1", 0, "x:1")


@pytest.mark.parametrize(
    ("entry_id", "index"),
    [
        ("digits-test:17", 17),
        ("a:b:3", 3),
        ("x:0", 0),
        ("x:017", None),
        ("x", None),
        ("x:", None),
        ("x:-1", None),
    ],
)
def test_entry_index_reads_the_canonical_integer_after_the_last_colon(
    entry_id: str, index: int | None
) -> None:
    assert entry_index(entry_id) == index


def ruled(m: int, base: int = 3) -> dict:
    """m certified entries whose seeds follow the certs rule with ``base``."""
    p = predicate()
    p["sampler"]["seed_rule"] = SEED_RULE
    p["sampler"]["base_seed"] = base
    for i in range(m):
        e = entry(i, 0, "0.5", counts=COUNTS)
        e["seed"] = seed_for(base, i)
        p["entries"].append(e)
    return p


def rules_of(rep) -> list[str]:
    return [f.rule for f in rep.findings] + [f.rule for e in rep.entries for f in e.findings]


def test_seeds_by_the_rule_pass() -> None:
    rep = verify_statement(statement(ruled(4)), "c.json", OPTS)
    assert rep.passed, [f.message for f in rep.findings]
    assert not {"SA207", "SA208", "SA209"} & set(rules_of(rep))


@pytest.mark.parametrize("bad", ["other-seed", "null-seed", "null-base", "no-index"])
def test_a_seed_outside_the_rule_is_a_protocol_violation_of_that_entry(bad: str) -> None:
    p = ruled(4)
    e = p["entries"][2]
    if bad == "other-seed":
        e["seed"] = seed_for(3, 2) + 1  # e.g. re-drawn until the input certified
    elif bad == "null-seed":
        e["seed"] = None
    elif bad == "null-base":
        p["sampler"]["base_seed"] = None
    else:
        e["id"] = "t-two"
    rep = verify_statement(statement(p), "c.json", OPTS)
    assert not rep.passed
    bad_entries = [0, 1, 2, 3] if bad == "null-base" else [2]
    for i, r in enumerate(rep.entries):
        if i in bad_entries:
            assert r.verdict is Verdict.PROTOCOL_VIOLATION
            assert [f.rule for f in r.findings] == ["SA208"]
        else:
            assert r.verdict is Verdict.CERTIFIED
    if bad == "other-seed":
        (f,) = rep.entries[2].findings
        assert f.data["expected"] == str(seed_for(3, 2))
        assert f.pointer == "/predicate/entries/2/seed"


def test_an_unknown_rule_is_a_warning_and_seeds_go_unchecked() -> None:
    p = ruled(3)
    p["sampler"]["seed_rule"] = "someone-else-v2"
    p["entries"][1]["seed"] = 12345
    rep = verify_statement(statement(p), "c.json", OPTS)
    assert rep.passed
    (f,) = [f for f in rep.findings if f.rule == "SA209"]
    assert f.severity == "warning" and "not known" in f.message


def test_without_a_rule_seeds_are_only_checked_for_sharing() -> None:
    p = ruled(3)
    del p["sampler"]["seed_rule"]
    p["entries"][1]["seed"] = 12345
    rep = verify_statement(statement(p), "c.json", OPTS)
    assert rep.passed and not {"SA207", "SA208"} & set(rules_of(rep))


def shared(rows: list[dict]) -> dict:
    p = ruled(6)
    del p["sampler"]["seed_rule"]
    for e in p["entries"][3:]:
        e["seed"] = p["entries"][0]["seed"]  # entries 0, 3, 4, 5: four inputs, one noise stream
    p["summary"]["certified_accuracy"] = rows
    return p


def test_shared_seeds_keep_entries_but_void_the_population_bound() -> None:
    row = {"radius": "0.5", "claimed": "1", "population_lower": None, "rho": None}
    rep = verify_statement(statement(shared([row])), "c.json", OPTS)
    assert [e.verdict for e in rep.entries] == [Verdict.CERTIFIED] * 6
    (f,) = [f for f in rep.findings if f.rule == "SA207"]
    assert f.severity == "warning" and f.data["entries"] == [0, 3, 4, 5]
    assert rep.passed  # nothing claimed a population bound
    (srow,) = rep.summary
    assert srow.population_lower is None and srow.rederived == "1"

    # the same file without sharing shows a bound for that row
    p_ok = ruled(6)
    p_ok["summary"]["certified_accuracy"] = [row]
    (ok_row,) = verify_statement(statement(p_ok), "c.json", OPTS).summary
    assert ok_row.population_lower is not None


def test_a_claimed_population_bound_over_shared_seeds_fails() -> None:
    row = {"radius": "0.5", "claimed": "1", "population_lower": "0.1", "rho": "0.001"}
    rep = verify_statement(statement(shared([row])), "c.json", OPTS)
    assert not rep.passed
    errs = [f for f in rep.findings if f.rule == "SA207" and f.severity == "error"]
    assert [f.pointer for f in errs] == ["/predicate/summary/certified_accuracy/0/population_lower"]


def test_a_population_gate_fails_over_shared_seeds_and_passes_without() -> None:
    gate = {"name": "pop", "metric": "population_lower", "norm": "l2", "radius": "0.5", "min": "0.1",
            "rho": "0.001"}  # fmt: skip
    opts = VerifyOptions(workers=1, slack=False, policy=parse_policy({"gates": [gate]}))
    p_ok = ruled(6)
    (g_ok,) = verify_statement(statement(p_ok), "c.json", opts).gates
    assert g_ok.passed, g_ok.message
    (g,) = verify_statement(statement(shared([])), "c.json", opts).gates
    assert not g.passed and "not independent" in g.message


def test_one_input_listed_twice_is_a_duplicate_not_a_shared_stream() -> None:
    p = ruled(3)
    p["entries"].append(dict(p["entries"][0], id="t:again"))
    rep = verify_statement(statement(p), "c.json", OPTS)
    assert "SA207" not in rules_of(rep)
    assert "SA105" in rules_of(rep)

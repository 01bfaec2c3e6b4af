"""Neighbouring registers (hypothesis): adding or removing one child moves every measure's true aggregate of a
year by at most its stated sensitivity, never changes the key set, and the gate agrees with a plain-Python
reference aggregator written from the documented rules (tests/reference_aggregate.py).

Registers span 1 to 8 years, with trajectories that cross years and ongoing ones, children who move between
wijken or have no wijk, children above every bound (trajectories, care types, providers, euros) and
providers outside the public list. Each example checks several neighbours of one register
(CI: 210 registers x 5 = 1,050 pairs). The same holds for a Wmo register, whose keys are the six provision
categories (ethics._records_schema.WMO): 60 registers x 5 = 300 pairs.
"""

from __future__ import annotations

import dataclasses
from datetime import date, timedelta

import polars as pl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from reference_aggregate import documented_sensitivities, reference

from ethics import gate
from ethics._aggregate import aggregate, encode
from ethics._records_schema import WMO_CARE_TYPES
from ethics.policy import PrivacyPolicy, load_policy

WIJKEN = ["WK051801", "WK051802", "WK051803", "WK051804"]
PROVIDERS = ["Zorg Noord (SYNTHETIC)", "Zorg Zuid (SYNTHETIC)", "Jeugd Oost (SYNTHETIC)"]
ROW_PROVIDERS = [*PROVIDERS, " Zorg Noord (SYNTHETIC) ", "Unlisted BV (SYNTHETIC)", "Another (SYNTHETIC)", None]
CARE_TYPES = ("jeugdhulp_zonder_verblijf", "jeugdhulp_met_verblijf", "jeugdbescherming", "jeugdreclassering")
NEIGHBOURS_PER_EXAMPLE = 5
EXAMPLES = 210  # x 5 neighbours = 1,050 pairs
WMO_EXAMPLES = 60  # x 5 neighbours = 300 pairs of Wmo registers
MEASURES = (
    "clients",
    "stepped_care_clients",
    "clients_by_care_type",
    "trajectories",
    "cost_eur",
    "provider_clients",
    "provider_cost_eur",
)
POLICY = load_policy()


@st.composite
def trajectory(draw, first: int, last: int, types: tuple[str, ...] = CARE_TYPES) -> dict:
    start = date(draw(st.integers(first - 2, last + 1)), 1, 1) + timedelta(days=draw(st.integers(0, 364)))
    ongoing = draw(st.booleans())
    length = draw(st.sampled_from([0, 1, 30, 200, 364, 365, 500, 1200]))
    cost = draw(st.sampled_from([None, 0.0, 12.5, 999.99, 4000.0, 60_000.0, 180_000.0, 400_000.0]))
    return {
        "wijk_code": draw(st.sampled_from([*WIJKEN, None])),
        "care_type": draw(st.sampled_from(types)),
        "provider": draw(st.sampled_from(ROW_PROVIDERS)),
        "start_date": start,
        "end_date": None if ongoing else start + timedelta(days=length),
        "cost_eur": cost,
    }


@st.composite
def child(draw, cid: str, first: int, last: int, types: tuple[str, ...] = CARE_TYPES) -> list[dict]:
    n = draw(st.integers(1, 12))  # up to 12: above the trajectory, care-type and provider bounds
    return [{"client_id": cid, **draw(trajectory(first, last, types))} for _ in range(n)]


@st.composite
def scenario(draw, types: tuple[str, ...] = CARE_TYPES) -> dict:
    first = draw(st.integers(2015, 2022))
    years = list(range(first, first + draw(st.integers(1, 8))))
    last = years[-1]
    base = [row for i in range(draw(st.integers(0, 8))) for row in draw(child(f"c{i}", first, last, types))]
    base = draw(st.permutations(base))
    extra = []
    for j in range(NEIGHBOURS_PER_EXAMPLE):
        rows = draw(child(f"new{j}", first, last, types))
        positions = sorted(draw(st.lists(st.integers(0, len(base)), min_size=len(rows), max_size=len(rows))))
        extra.append((rows, positions))
    reference_date = draw(st.sampled_from(["12-31", "06-30", "01-01"]))
    privacy = dataclasses.replace(POLICY.privacy, reference_date=reference_date)
    return {"years": years, "base": list(base), "extra": extra, "privacy": privacy, "types": types}


def _with(base: list[dict], rows: list[dict], positions: list[int]) -> list[dict]:
    """`base` with the new child's rows inserted at the given positions (the order of the others is kept)."""
    out = list(base)
    for offset, (row, pos) in enumerate(zip(rows, positions, strict=True)):
        out.insert(pos + offset, row)
    return out


def _frame(rows: list[dict]) -> pl.DataFrame:
    schema = {
        "client_id": pl.String,
        "wijk_code": pl.String,
        "care_type": pl.String,
        "provider": pl.String,
        "start_date": pl.Date,
        "end_date": pl.Date,
        "cost_eur": pl.Float64,
    }
    return pl.DataFrame(rows, schema=schema, orient="row") if rows else pl.DataFrame(schema=schema)


def gate_truth(rows: list[dict], years: list[int], privacy: PrivacyPolicy,
               types: tuple[str, ...] = CARE_TYPES) -> dict:
    """The gate's own bounded true aggregates as {(measure, node or provider, year, care_type): value}."""
    enc = encode(_frame(rows), WIJKEN, bytes(range(16)), years=years, providers=PROVIDERS, care_types=types)
    truth = aggregate(enc, privacy, WIJKEN)
    nodes = truth.nodes.select("node", "year", "care_type", "measure", "true")
    out = {(m, n, y, t): v for n, y, t, m, v in nodes.iter_rows()}
    providers = truth.providers.select("year", "provider", "measure", "true")
    out.update({(m, p, y, "all"): v for y, p, m, v in providers.iter_rows()})
    return out


def _settings(examples: int):
    """Hypothesis settings of these tests: derandomised, no deadline (a busy machine must not fail them)."""
    return settings(max_examples=examples, deadline=None, derandomize=True, database=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def _policy(privacy: PrivacyPolicy):
    return dataclasses.replace(POLICY, privacy=privacy)


def check_neighbours(years: list[int], base: list[dict], extra: list, privacy: PrivacyPolicy,
                     types: tuple[str, ...] = CARE_TYPES) -> int:
    """Assert every rule for base against base + each extra child; return the number of pairs checked."""
    policy = _policy(privacy)
    keys = {"wijk_keys": WIJKEN, "years": years, "providers": PROVIDERS, "privacy": privacy, "care_types": types}
    before = gate_truth(base, years, privacy, types)
    assert before == reference(base, **keys)
    for rows, positions in extra:
        bigger = _with(base, rows, positions)
        after = gate_truth(bigger, years, privacy, types)
        assert after == reference(bigger, **keys)
        assert after.keys() == before.keys()  # the key set never depends on who is in the register
        change: dict[tuple[str, int], int] = {}
        for k, value in before.items():
            change[(k[0], k[2])] = change.get((k[0], k[2]), 0) + abs(after[k] - value)
        for (measure, year), l1 in change.items():
            assert l1 <= gate.sensitivity(measure, policy), (measure, year, l1)
        assert {m for m, _ in change} == set(MEASURES) and {y for _, y in change} == set(years)
    return len(extra)


@_settings(EXAMPLES)
@given(case=scenario())
def test_one_child_moves_each_measure_by_at_most_its_sensitivity(case):
    assert check_neighbours(case["years"], case["base"], case["extra"], case["privacy"]) == NEIGHBOURS_PER_EXAMPLE


@_settings(WMO_EXAMPLES)
@given(case=scenario(WMO_CARE_TYPES))
def test_one_wmo_client_moves_each_measure_by_at_most_its_sensitivity(case):
    """A Wmo register: six provision categories as keys (the packed word's type field up to index 5)."""
    pairs = check_neighbours(case["years"], case["base"], case["extra"], case["privacy"], WMO_CARE_TYPES)
    assert pairs == NEIGHBOURS_PER_EXAMPLE
    keys = gate_truth(case["base"], case["years"], case["privacy"], WMO_CARE_TYPES)
    assert {k[3] for k in keys} == {"all", *WMO_CARE_TYPES}


def test_the_documented_sensitivities():
    """Written out, so a changed sensitivity in the gate fails here as well as in the noise-spread tests."""
    expected = documented_sensitivities(POLICY.privacy)
    assert {m: gate.sensitivity(m, POLICY) for m in expected} == expected == {"clients": 1, **expected}

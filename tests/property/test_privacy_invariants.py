"""Invariants over many inputs (hypothesis): the budget is never overspent, the CBS rule always holds,
post-processed releases are never negative and add up to their total."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import polars as pl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ethics.disclosure import CBS, COUNT_MEASURES, apply_cbs_rule
from ethics.errors import BudgetExhausted
from ethics.gate import _project
from ethics.ledger import ChargeRequest, Ledger
from ethics.policy import DisclosurePolicy

epsilons = st.fractions(min_value=Fraction(1, 20), max_value=Fraction(3, 2), max_denominator=20)


@settings(max_examples=40, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(charges=st.lists(st.tuples(st.sampled_from(["a", "b"]), epsilons), min_size=1, max_size=12))
def test_budget_is_never_overspent(tmp_path_factory, charges):
    ledger = Ledger(tmp_path_factory.mktemp("ledger") / "l.sqlite")
    total, spent = Fraction(2), {"a": Fraction(0), "b": Fraction(0)}
    for dataset, eps in charges:
        try:
            ledger.charge([ChargeRequest(dataset, 2022, eps, ())], total)
            spent[dataset] += eps
        except BudgetExhausted:
            assert spent[dataset] + eps > total  # refused only when it would overspend
    assert all(v <= total for v in spent.values())
    assert {s.dataset_id: s.spent_after for s in ledger.show(total)} == {k: v for k, v in spent.items() if v}


rules = st.builds(
    lambda base, secret, extra: DisclosurePolicy(
        rounding_base=base, secret_max=secret, min_released_count=secret + extra
    ),
    st.integers(1, 10),
    st.integers(0, 20),
    st.integers(1, 20),
)


@settings(deadline=None, derandomize=True)
@given(
    values=st.lists(st.one_of(st.none(), st.integers(0, 5000)), min_size=1, max_size=50),
    measure=st.sampled_from(sorted(COUNT_MEASURES)),
    rule=st.one_of(st.just(CBS), rules),
)
def test_cbs_rule_no_ok_count_below_the_minimum_or_off_the_base(values, measure, rule):
    frame = pl.DataFrame(
        {"measure": [measure] * len(values), "value": values, "status": ["ok"] * len(values)},
        schema_overrides={"value": pl.Int64},
    )
    out = apply_cbs_rule(frame, rule)
    ok = out.filter(pl.col("status") == "ok")["value"]
    assert (
        ok.null_count() == 0
        and (ok >= rule.min_released_count).all()
        and (ok % rule.rounding_base == 0).all()
    )
    assert out.filter(pl.col("status") != "ok")["value"].null_count() == (out["status"] != "ok").sum()
    small = [v is None or v <= rule.secret_max for v in values]
    assert all(s == "secret" for s, is_small in zip(out["status"], small, strict=True) if is_small)


@settings(deadline=None, derandomize=True)
@given(raw=st.lists(st.integers(-500, 5000), min_size=1, max_size=60))
def test_post_processing_is_non_negative_and_adds_up(raw):
    arr = np.array(raw)
    total = max(int(arr.sum()), 0)
    out = _project(arr, total)
    assert (out >= 0).all() and out.sum() == total
    assert out.dtype.kind == "i"

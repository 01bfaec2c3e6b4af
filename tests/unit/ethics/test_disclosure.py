"""The CBS rule on released counts: multiples of 5, 0..7 secret, never an ok count below 10."""

from __future__ import annotations

import polars as pl
import pytest

from ethics.disclosure import CBS, apply_cbs_rule, cbs_round, cbs_status, violations
from ethics.policy import DisclosurePolicy, load_policy


@pytest.mark.parametrize(
    ("value", "rounded", "status"),
    [
        (0, 0, "secret"),
        (7, 5, "secret"),
        (8, 10, "ok"),
        (9, 10, "ok"),
        (12, 10, "ok"),
        (13, 15, "ok"),
        (1132, 1130, "ok"),
        (1133, 1135, "ok"),
    ],
)
def test_cbs_preset(value, rounded, status):
    assert cbs_round(pl.Series([value]), CBS).item() == rounded
    assert cbs_status(pl.Series([value]), CBS).item() == status


def test_default_policy_is_the_cbs_preset():
    d = load_policy().disclosure
    assert (d.rounding_base, d.secret_max, d.min_released_count) == (5, 7, 10)


def _frame(values, measure="clients", status="ok"):
    return pl.DataFrame(
        {"measure": [measure] * len(values), "value": values, "status": [status] * len(values)},
        schema_overrides={"value": pl.Int64},
    )


def test_rule_withholds_small_counts_and_rounds_the_rest():
    out = apply_cbs_rule(_frame([3, 8, 57]), CBS)
    assert out["status"].to_list() == ["secret", "ok", "ok"]
    assert out["value"].to_list() == [None, 10, 55]


def test_rule_leaves_euros_and_withheld_regions_alone():
    assert apply_cbs_rule(_frame([3], "cost_eur"), CBS)["value"].to_list() == [3]
    out = apply_cbs_rule(_frame([50], status="too_small"), CBS)
    assert out["status"].to_list() == ["too_small"] and out["value"].to_list() == [None]


def test_larger_base_and_threshold():
    rule = DisclosurePolicy(rounding_base=10, secret_max=14, min_released_count=20)
    out = apply_cbs_rule(_frame([14, 15, 26]), rule)
    assert out["value"].to_list() == [None, 20, 30]


@pytest.mark.parametrize(("values", "n_bad"), [([10, 15], 0), ([5], 1), ([12], 1), ([None], 1)])
def test_violations_find_ok_counts_that_break_the_rule(values, n_bad):
    assert violations(_frame(values), CBS).height == n_bad

"""The fairness audit: figures equal fairlearn's, verdicts at the limits, blocking, groupings.

All frames here are SYNTHETIC (made up for the test), shaped like the real inputs.
"""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest
from fairlearn.metrics import MetricFrame, selection_rate
from sklearn.metrics import mean_absolute_error

from ethics._fairness_inputs import (
    assign_groups,
    burden_inputs,
    forecast_inputs,
    grouping_values,
    model_inputs,
    selection_inputs,
)
from ethics.errors import FairnessBlock
from ethics.fairness import FAIRNESS_COLUMNS, audit_fairness, verdict
from ethics.policy import FairnessPolicy

N = 30


def _values() -> pl.DataFrame:
    """SYNTHETIC grouping values: income 1..30 (thirds 1-10, 11-20, 21-30), migration share reversed."""
    i = np.arange(1, N + 1)
    return pl.DataFrame({"region_code": [f"WK0999{k:02d}" for k in i], "income": i.astype(float),
                         "migration_share": (N + 1 - i) / 100.0,
                         "urbanity_class": [str(1 + k % 3) for k in i],
                         "population": np.where(i <= 6, 1000.0, 12000.0)})


def _model_errors(seed: int = 3) -> pl.DataFrame:
    rng = np.random.default_rng(seed)
    obs = rng.uniform(5, 15, N)
    return pl.DataFrame({"region_code": _values()["region_code"], "gemeente_code": ["GM0999"] * N,
                         "observed_rate": obs, "expected_rate_oof": obs + rng.normal(0.5, 2, N)})


def _income_group(k: int) -> str:
    return "low" if k <= 10 else "middle" if k <= 20 else "high"


def test_model_error_figures_equal_a_direct_fairlearn_computation():
    me = _model_errors()
    result = audit_fairness(_values(), model_inputs(me), FairnessPolicy())
    groups = [_income_group(k) for k in range(1, N + 1)]
    for metric, fn in [("model_mae", mean_absolute_error),
                       ("model_bias", lambda t, p: float(np.mean(np.asarray(p) - np.asarray(t))))]:
        direct = MetricFrame(metrics=fn, y_true=me["observed_rate"].to_numpy(),
                             y_pred=me["expected_rate_oof"].to_numpy(), sensitive_features=groups)
        ours = result.table.filter(pl.col("grouping") == "income_tercile", pl.col("metric") == metric)
        for row in ours.iter_rows(named=True):
            assert row["value"] == pytest.approx(direct.by_group[row["group"]], abs=1e-4)
            assert row["n_regions"] == 10
            assert row["ci_low"] <= row["value"] <= row["ci_high"]


def test_weighted_selection_rate_equals_fairlearn_with_sample_weight():
    cands = pl.DataFrame({"region_code": _values()["region_code"],
                          "youth_population": np.arange(1, N + 1) * 100})
    prio = pl.DataFrame({"region_code": [f"WK0999{k:02d}" for k in (1, 2, 3, 15, 29)]})
    result = audit_fairness(_values(), selection_inputs(cands, prio), FairnessPolicy())
    selected = np.isin(np.arange(1, N + 1), [1, 2, 3, 15, 29]).astype(int)
    direct = MetricFrame(metrics=selection_rate, y_true=np.ones(N), y_pred=selected,
                         sensitive_features=[_income_group(k) for k in range(1, N + 1)],
                         sample_params={"sample_weight": cands["youth_population"].to_numpy()})
    ours = result.table.filter(pl.col("grouping") == "income_tercile",
                               pl.col("metric") == "selection_rate_youth")
    got = dict(zip(ours["group"], ours["value"], strict=True))
    assert got == pytest.approx(direct.by_group.to_dict(), abs=1e-4)


def test_table_has_the_contract_columns_and_is_reproducible():
    a = audit_fairness(_values(), model_inputs(_model_errors()), FairnessPolicy())
    b = audit_fairness(_values(), model_inputs(_model_errors()), FairnessPolicy())
    assert a.table.columns == list(FAIRNESS_COLUMNS)
    assert a.table.equals(b.table)
    assert set(a.table["verdict"]) <= {"pass", "flag", "fail"}
    assert set(a.table["grouping"]) == {"income_tercile", "migration_tercile", "urbanity_class", "size_class"}


P = FairnessPolicy()


@pytest.mark.parametrize(("case", "args", "expected"), [
    ("error at the flag limit", ("error", 1.25, (1.0, 1.5), 1.0, 40), "pass"),
    ("error just above the flag limit", ("error", 1.2501, (1.0, 1.5), 1.0, 40), "flag"),
    ("error at the fail limit", ("error", 1.5, (1.3, 1.7), 1.0, 40), "flag"),
    ("error above fail, interval beyond flag", ("error", 1.51, (1.2501, 1.8), 1.0, 40), "fail"),
    ("error above fail, interval reaches flag", ("error", 1.51, (1.25, 1.8), 1.0, 40), "flag"),
    ("error above fail, group too small", ("error", 3.0, (2.9, 3.1), 1.0, 4), "flag"),
    ("error better than overall", ("error", 0.2, (0.1, 0.3), 1.0, 40), "pass"),
    ("bias gap at the flag limit", ("bias", 0.5, (0.4, 0.6), 0.0, 40), "pass"),
    ("bias gap above flag", ("bias", -0.6, (-0.7, -0.5), 0.0, 40), "flag"),
    ("bias gap above fail, interval clear", ("bias", 1.2, (0.6, 1.8), 0.0, 40), "fail"),
    ("bias gap above fail, interval holds overall", ("bias", 1.2, (-0.1, 2.5), 0.0, 40), "flag"),
    ("selection twice overall", ("selection", 0.4, (0.31, 0.5), 0.2, 40), "fail"),
    ("selection half of overall", ("selection", 0.1, (0.05, 0.15), 0.2, 40), "fail"),
    ("no priority list at all", ("selection", 0.0, (0.0, 0.0), 0.0, 40), "pass"),
])
def test_verdict_at_the_limits(case, args, expected):
    assert verdict(*args, policy=P) == expected, case


@pytest.mark.parametrize(("side", "value", "ci", "expected"), [
    ("most", 0.4, (0.31, 0.5), "pass"),   # the neediest group selected more: the purpose of the list
    ("most", 0.1, (0.05, 0.15), "fail"),  # the neediest group selected less
    ("least", 0.1, (0.05, 0.15), "pass"),
    ("least", 0.4, (0.31, 0.5), "fail"),
    ("between", 0.0, (0.0, 0.0), "pass"),
    (None, 0.4, (0.31, 0.5), "fail"),
])
def test_need_groupings_only_count_selection_against_need(side, value, ci, expected):
    assert verdict("selection", value, ci, 0.2, 40, P, side=side) == expected


def _lopsided_selection() -> dict[str, pl.DataFrame]:
    cands = pl.DataFrame({"region_code": _values()["region_code"], "youth_population": [500] * N})
    prio = pl.DataFrame({"region_code": [f"WK0999{k:02d}" for k in range(1, 11)]})  # the lowest incomes only
    return selection_inputs(cands, prio)


def _mixed_values() -> pl.DataFrame:
    """SYNTHETIC: every income third holds low, middle and high migration shares (k % 3)."""
    return _values().with_columns((pl.col("income").cast(pl.Int64) % 3 / 10).alias("migration_share"))


def _selection_at_equal_need() -> dict[str, pl.DataFrame]:
    """SYNTHETIC: in every income third only the wijken with the highest migration share are selected."""
    cands = pl.DataFrame({"region_code": _values()["region_code"], "youth_population": [500] * N})
    prio = pl.DataFrame({"region_code": [f"WK0999{k:02d}" for k in range(1, N + 1) if k % 3 == 2]})
    return selection_inputs(cands, prio)


def test_block_raises_exit_4_on_unequal_selection_at_equal_need():
    with pytest.raises(FairnessBlock) as err:
        audit_fairness(_mixed_values(), _selection_at_equal_need(), FairnessPolicy(on_fail="block"))
    assert err.value.exit_code == 4
    assert "selection_given_need" in str(err.value) and "migration_tercile" in str(err.value)


def test_selection_that_follows_need_does_not_block():
    result = audit_fairness(_values(), _lopsided_selection(), FairnessPolicy(on_fail="block"))
    raw = result.table.filter(pl.col("grouping") == "migration_tercile",
                              pl.col("metric") == "selection_rate")
    assert raw.filter(pl.col("group") == "high")["verdict"].item() == "fail"  # shown to the ethical officer
    given = result.table.filter(pl.col("metric") == "selection_given_need",
                                pl.col("grouping") == "migration_tercile")
    assert set(given["verdict"]) == {"pass"}  # at equal income, migration makes no difference


def test_selection_given_need_equals_observed_over_expected():
    result = audit_fairness(_mixed_values(), _selection_at_equal_need(), FairnessPolicy())
    given = result.table.filter(pl.col("metric") == "selection_given_need",
                                pl.col("grouping") == "migration_tercile")
    by_group = dict(zip(given["group"], given["value"], strict=True))
    # selected k % 3 == 2: 3 of wijken 1-10, 4 of 11-20, 3 of 21-30 -> third rates 0.3, 0.4, 0.3; the ten
    # high-migration wijken are all selected, while their need mix predicts 3 x 0.3 + 4 x 0.4 + 3 x 0.3 = 3.4
    assert by_group["high"] == pytest.approx(10 / 3.4, abs=1e-4)
    assert by_group["low"] == 0.0 and by_group["middle"] == 0.0
    assert not result.table.filter(pl.col("metric") == "selection_given_need",
                                   pl.col("grouping") == "income_tercile").height


def test_flag_policy_reports_the_same_failure_without_raising():
    result = audit_fairness(_mixed_values(), _selection_at_equal_need(), FairnessPolicy(on_fail="flag"))
    assert result.audit["verdict"] == "fail" and result.audit["counts"]["fail"] >= 1
    inc = result.table.filter(pl.col("grouping") == "income_tercile", pl.col("metric") == "selection_rate")
    assert set(inc["verdict"]) == {"pass"}  # each third is selected equally


def test_burden_metrics_never_block():
    ks = [k for k in range(1, N + 1) for _ in range(4)]  # four cells per wijk; wijken 1-6 are small
    releases = pl.DataFrame({"region_code": [f"WK0999{k:02d}" for k in ks], "measure": ["clients"] * len(ks),
                             "status": [("secret" if k <= 6 else "ok") for k in ks],
                             "accuracy_95": [(None if k <= 6 else 3.0) for k in ks]})
    euros = releases.with_columns(pl.lit("cost_eur").alias("measure"), pl.lit(1e6).alias("accuracy_95"))
    releases = pl.concat([releases, euros])  # euro cells must not enter the mean accuracy in children
    policy = FairnessPolicy(on_fail="block", min_group_regions=1)
    result = audit_fairness(_values(), burden_inputs(releases), policy)
    small = result.table.filter(pl.col("grouping") == "size_class", pl.col("group") == "0-2499",
                                pl.col("metric") == "withheld_share")
    assert small["value"].item() == 1.0 and small["verdict"].item() == "fail"
    acc = result.table.filter(pl.col("metric") == "accuracy_95")
    assert set(acc["value"]) == {3.0}


def test_forecast_inputs_average_horizons_per_wijk_for_one_model():
    errs = pl.DataFrame({"region_code": ["WK099901"] * 4, "model": ["a", "a", "b", "b"],
                         "horizon": [1, 2, 1, 2],
                         "error": [1.0, -3.0, 10.0, 10.0], "abs_error": [1.0, 3.0, 10.0, 10.0]})
    got = forecast_inputs(errs, model="a")
    assert got["forecast_mae"]["y_pred"].item() == 2.0
    assert got["forecast_bias"]["y_pred"].item() == -1.0


def test_terciles_are_taken_among_the_covered_wijken_and_unknown_is_left_out():
    values = _values().with_columns(pl.when(pl.col("income") == 30).then(None).otherwise(pl.col("income"))
                                    .alias("income"))
    groups, cuts = assign_groups(values)
    assert groups["income_tercile"].null_count() == 1 and cuts["unknown"]["income_tercile"] == 1
    assert groups.filter(pl.col("region_code") == "WK099901")["size_class"].item() == "0-2499"
    sub, sub_cuts = assign_groups(values.filter(pl.col("income") <= 9))
    assert sub_cuts["income_tercile"] == [pytest.approx(3.67, abs=0.01), pytest.approx(6.33, abs=0.01)]
    assert sub["income_tercile"].value_counts()["count"].to_list() == [3, 3, 3]


def test_grouping_values_use_latest_income_and_the_migration_share():
    wijk = pl.DataFrame({"region_code": ["WK099901"] * 3, "year": [2020, 2021, 2022],
                         "population": [100.0, 100.0, 200.0], "pop_nonwestern_migration": [0.0, 0.0, 50.0],
                         "urbanity_class": [None, 2.0, 2.0],
                         "income_avg_per_inhabitant_x1000eur": [20.0, 25.0, None]})
    row = grouping_values(wijk, 2022).row(0, named=True)
    assert row["income"] == 25.0 and row["migration_share"] == 0.25 and row["urbanity_class"] == "2"


@pytest.mark.parametrize(("kwargs", "expectation"), [
    ({}, None),
    ({"max_bias_flag": 1.5, "max_bias_fail": 1.0}, "max_bias_flag"),
    ({"max_bias_flag": 0.0}, "max_bias_flag"),
    ({"min_group_regions": 0}, "min_group_regions"),
    ({"n_boot": 10}, "n_boot"),
    ({"ci_level": 1.0}, "ci_level"),
    ({"need_groupings": frozenset({"religion"})}, "need_groupings"),
    ({"blocking_metrics": frozenset({"accuracy"})}, "blocking_metrics"),
])
def test_fairness_policy_limits_are_validated(kwargs, expectation):
    if expectation is None:
        FairnessPolicy(**kwargs)
    else:
        with pytest.raises(ValueError, match=expectation):
            FairnessPolicy(**kwargs)


def test_a_single_wijk_is_not_applicable_instead_of_a_crash():
    """A gemeente with one wijk (24 of 345 in 2022): fairlearn refuses a single sample; the verdict is n/a."""
    one = _values().head(1)
    cands = pl.DataFrame({"region_code": one["region_code"], "youth_population": [500]})
    prio = pl.DataFrame({"region_code": one["region_code"]})
    result = audit_fairness(one, selection_inputs(cands, prio), FairnessPolicy(on_fail="block"))
    assert not result.table.is_empty() and set(result.table["verdict"]) == {"n/a"}
    assert result.table["value"].to_list() == [1.0] * result.table.height
    assert result.audit["counts"]["n/a"] == result.table.height and result.audit["not_pass"] == []


def test_a_grouping_with_one_group_is_not_applicable_while_the_others_are_judged():
    values = _values().with_columns(pl.lit("2").alias("urbanity_class"))  # every wijk of one urbanity class
    result = audit_fairness(values, model_inputs(_model_errors()), FairnessPolicy())
    urban = result.table.filter(pl.col("grouping") == "urbanity_class")
    assert set(urban["verdict"]) == {"n/a"} and set(urban["n_regions"]) == {N}
    others = result.table.filter(pl.col("grouping") != "urbanity_class")
    assert set(others["verdict"]) <= {"pass", "flag", "fail"}

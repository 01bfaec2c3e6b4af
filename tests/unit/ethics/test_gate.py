"""The privacy gate on a SYNTHETIC register: public keys, charge before noise, accuracy, CBS rule, audit."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import polars as pl
import pytest
from reference_aggregate import UNASSIGNED, reference
from synthetic_records import gate_inputs, register

from ethics import gate, noise
from ethics.disclosure import violations
from ethics.errors import BudgetExhausted
from ethics.ledger import Ledger
from ethics.records import read_records


@pytest.fixture(scope="module")
def inputs(panel_frame):
    return gate_inputs(panel_frame)


@pytest.fixture(scope="module")
def small_register(panel_frame, tmp_path_factory):
    return register(panel_frame, tmp_path_factory.mktemp("reg") / "records.csv", scale=0.1)


def _release(path, inputs, policy, ledger, dataset="test"):
    return gate.release(path, policy=policy, ledger=ledger, dataset_id=dataset, **inputs)


def test_every_public_key_is_released_and_withheld_cells_are_empty(small_register, inputs, policy, tmp_path):
    rel = _release(small_register, inputs, policy, Ledger(tmp_path / "l.sqlite"))
    t = rel.table
    assert tuple(t.columns) == gate.RELEASE_COLUMNS
    clients = t.filter(pl.col("measure") == "clients", pl.col("care_type") == "all")
    assert sorted(clients["region_code"].to_list()) == sorted([*inputs["wijk_keys"], inputs["gemeente"]])
    assert set(t["care_type"]) == {
        "all",
        "jeugdhulp_zonder_verblijf",
        "jeugdhulp_met_verblijf",
        "jeugdbescherming",
        "jeugdreclassering",
    }
    assert (
        t.filter(pl.col("status") != "ok")["value"].null_count() == t.filter(pl.col("status") != "ok").height
    )
    assert violations(t, policy.disclosure).is_empty()
    assert t.filter(pl.col("region_code") == "WK051801")["status"].unique().to_list() == ["too_small"]
    assert (t["value"].drop_nulls() >= 0).all() and t["synthetic"].all()


def test_the_ledger_is_charged_before_any_noise_is_drawn(
    small_register, inputs, policy, tmp_path, monkeypatch
):
    ledger = Ledger(tmp_path / "l.sqlite")
    seen = []
    real = noise.geometric_noise

    def spy(*args, **kwargs):
        seen.append(ledger.count())
        return real(*args, **kwargs)

    monkeypatch.setattr(noise, "geometric_noise", spy)
    _release(small_register, inputs, policy, ledger)
    assert seen and set(seen) == {1}


def test_budget_refusal_draws_no_noise_and_records_nothing(
    small_register, inputs, policy, tmp_path, monkeypatch
):
    ledger = Ledger(tmp_path / "l.sqlite")
    for i in range(3):
        _release(small_register, inputs, policy, ledger, dataset=f"copy-{i}")  # same children, new ids
    monkeypatch.setattr(noise, "geometric_noise", lambda *a, **k: pytest.fail("noise drawn after a refusal"))
    with pytest.raises(BudgetExhausted, match="only 0 of 3 remains") as err:
        _release(small_register, inputs, policy, ledger, dataset="renamed")
    assert err.value.exit_code == 4 and ledger.count() == 3


def test_gemeente_totals_are_consistent_with_the_wijken():
    raw = np.array([40, -6, 3, 120, -2, 0])
    total = max(int(raw.sum()), 0)
    out = gate._project(raw, total)
    assert out.sum() == total and (out >= 0).all() and out[3] >= out[0] >= out[2]


def _truth(path, inputs, policy) -> pl.DataFrame:
    """True bounded values of every released cell (wijk, gemeente, care type 'all'), from the plain-Python
    reference aggregator (not the gate's own code)."""
    rows = read_records(path, policy, set(inputs["wijk_keys"])).to_dicts()
    ref = reference(
        rows,
        wijk_keys=inputs["wijk_keys"],
        years=inputs["years"],
        providers=inputs["providers"],
        privacy=policy.privacy,
    )
    frame = pl.DataFrame(
        [{"measure": m, "key": k, "year": y, "care_type": t, "true": v} for (m, k, y, t), v in ref.items()],
        schema_overrides={"year": pl.Int32, "true": pl.Int64},
    )
    prov = frame.filter(pl.col("measure").str.starts_with("provider_")).select(
        region_code=pl.lit(inputs["gemeente"]), year="year", care_type="care_type", measure="measure",
        true="true", provider="key"
    )
    nodes = frame.filter(~pl.col("measure").str.starts_with("provider_")).rename({"key": "node"})
    nodes = nodes.with_columns(measure=pl.col("measure").replace("clients_by_care_type", "clients"))
    summed = (
        nodes.filter(pl.col("measure").is_in(["trajectories", "cost_eur"]))
        .group_by("node", "year", "measure")
        .agg(pl.col("true").sum())
        .with_columns(care_type=pl.lit("all"))
    )
    nodes = pl.concat([nodes, summed.select(nodes.columns)])
    gem = (
        nodes.group_by("year", "care_type", "measure")
        .agg(pl.col("true").sum())
        .with_columns(node=pl.lit(inputs["gemeente"]))
    )
    cells = pl.concat([nodes.filter(pl.col("node") != UNASSIGNED), gem.select(nodes.columns)])
    cells = cells.rename({"node": "region_code"}).with_columns(provider=pl.lit(None, pl.String))
    return pl.concat([cells.select(prov.columns), prov])


def test_at_least_95_percent_of_released_cells_are_within_accuracy_95(
    small_register, inputs, policy, tmp_path
):
    truth = _truth(small_register, inputs, policy)
    keys = ["region_code", "year", "care_type", "measure", "provider"]
    within = []
    with noise.seeded_noise_for_tests(2024):
        for i in range(20):
            t = _release(small_register, inputs, policy, Ledger(tmp_path / f"l{i}.sqlite")).table
            ok = t.filter(pl.col("status") == "ok", ~pl.col("measure").str.contains("per_client"))
            joined = ok.join(truth, on=keys, how="inner", nulls_equal=True)
            assert joined.height == ok.height
            within += ((joined["value"] - joined["true"]).abs() <= joined["accuracy_95"]).to_list()
    assert np.mean(within) >= 0.95


def test_egress_accepts_the_gated_table_and_refuses_a_changed_one(small_register, inputs, policy, tmp_path):
    from ethics import egress
    from ethics.errors import EgressBlocked

    rel = _release(small_register, inputs, policy, Ledger(tmp_path / "l.sqlite"))
    table = egress.Table(
        "releases.csv", rel.table, withheld=("value",), from_records=True, gate_token=rel.token
    )
    assert egress.check_table(table, policy)
    changed = rel.table.with_columns(value=pl.col("value") + 5)
    with pytest.raises(EgressBlocked, match="changed after the gate"):
        egress.check_table(
            egress.Table("releases.csv", changed, from_records=True, gate_token=rel.token), policy
        )


def test_privacy_section_explains_the_budget(small_register, inputs, policy, tmp_path):
    audit = _release(small_register, inputs, policy, Ledger(tmp_path / "l.sqlite")).audit
    spent = sum((Fraction(m["epsilon"]) for m in audit["measures"]), Fraction(0))
    assert spent == policy.privacy.epsilon_per_release
    assert "parallel" in audit["composition"] and "sequential" in audit["composition"]
    assert (
        audit["ledger"]["before"][0]["spent_before"] == "0"
        and audit["ledger"]["after"][0]["spent_after"] == "1"
    )
    assert audit["synthetic"] is True and audit["records_used"] is True
    assert audit["unit"].startswith("one child")


def test_a_gemeente_share_makes_gemeente_totals_more_exact(policy):
    eps, sens = policy.privacy.epsilon_for("cost_eur"), gate.sensitivity("cost_eur", policy)
    with_share = gate._half_width("cost_eur", True, 1, 45, policy)
    assert policy.privacy.gemeente_share_for("cost_eur") > 0
    assert with_share < noise.sum_accuracy_95(eps, sens, 45) / 2

"""The privacy gate on a SYNTHETIC register: public keys, charge before noise, accuracy, CBS rule, audit."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import polars as pl
import pytest
from reference_aggregate import UNASSIGNED, documented_sensitivities, reference
from synthetic_records import HEADER, gate_inputs, register, write_rows

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
    for i in range(3):  # same children, new ids; another provider list each time, so no earlier release is reused
        scope = inputs | {"providers": [f"Aanbieder {i} (SYNTHETIC)"]}
        gate.release(small_register, policy=policy, ledger=ledger, dataset_id=f"copy-{i}", **scope)
    monkeypatch.setattr(noise, "geometric_noise", lambda *a, **k: pytest.fail("noise drawn after a refusal"))
    with pytest.raises(BudgetExhausted, match="only 0 of 3 remains") as err:
        _release(small_register, inputs, policy, ledger, dataset="renamed")
    assert err.value.exit_code == 4 and ledger.count() == 3


def test_a_copy_of_a_released_register_gets_the_same_release_without_a_charge(small_register, inputs, policy,
                                                                               tmp_path):
    ledger = Ledger(tmp_path / "l.sqlite")
    first = _release(small_register, inputs, policy, ledger, dataset="copy-0")
    again = _release(small_register, inputs, policy, ledger, dataset="copy-1")  # same children: no new noise
    assert again.table.equals(first.table) and ledger.count() == 1
    assert again.audit["epsilon_spent_this_run"] == "0" and again.audit["ledger"]["charged_years"] == []


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


# --- The spread of the released noise matches the epsilon charged in the ledger (two-sided) ---------------

SPREAD_PROVIDERS = [f"Aanbieder {i} (SYNTHETIC)" for i in range(12)]


def _spread_rows(wijk_keys: list[str], years: list[int]) -> list[tuple[str, ...]]:
    """A plain SYNTHETIC register with large cells: 40 children per wijk and year, 1-4 trajectories each."""
    types = ["jeugdhulp_zonder_verblijf", "jeugdhulp_met_verblijf", "jeugdbescherming", "jeugdreclassering"]
    rows = []
    for y in years:
        for w, wijk in enumerate(wijk_keys):
            for i in range(40):
                for j in range(1 + (i + w) % 4):
                    provider = (SPREAD_PROVIDERS + ["Unlisted (SYNTHETIC)"])[(i + j + w) % 13]
                    start = f"{y}-{1 + j:02d}-{1 + i % 28:02d}"
                    rows.append((f"SYN-{y}-{w}-{i}", "2010", wijk, types[(i + j) % 4], provider, start,
                                 f"{y}-12-{1 + j:02d}", str(150 + 50 * j)))
    return rows


def _spread_policy(policy, share: bool = False):
    import dataclasses

    from ethics.policy import DisclosurePolicy

    privacy = dataclasses.replace(
        policy.privacy,
        epsilon_per_release=Fraction(10),
        total_epsilon=Fraction(10),
        cost_clip_eur=(0, 1000),
        gemeente_share=policy.privacy.gemeente_share if share else (),
    )
    disclosure = DisclosurePolicy(min_youth_population=0, rounding_base=1, secret_max=0, min_released_count=1)
    return dataclasses.replace(policy, privacy=privacy, disclosure=disclosure)


def _documented_sensitivity(budget_measure: str, policy) -> int:
    """Written from the policy's documented bounds, not taken from the gate."""
    return documented_sensitivities(policy.privacy)[budget_measure]


def _geometric_variance(epsilon: float, sensitivity: int) -> float:
    p = np.exp(-epsilon / sensitivity)
    return 2 * p / (1 - p) ** 2


def test_the_spread_of_released_noise_matches_the_epsilon_charged(inputs, policy, tmp_path):
    """Released minus true (reference aggregator) per wijk cell and provider, over 4 releases: the mean
    squared error must match the variance of the mechanism at the epsilon the ledger charged, within a
    few standard errors on both sides, so too little noise fails as surely as too much."""
    spread = _spread_policy(policy)
    years = [2021, 2022]
    run_inputs = {**inputs, "years": years, "providers": SPREAD_PROVIDERS}
    path = write_rows(tmp_path / "spread-SYNTHETIC.csv", _spread_rows(inputs["wijk_keys"], years))
    truth = _truth(path, run_inputs, spread).filter(pl.col("region_code") != inputs["gemeente"]).vstack(
        _truth(path, run_inputs, spread).filter(pl.col("provider").is_not_null())
    )
    keys = ["region_code", "year", "care_type", "measure", "provider"]
    residuals: dict[str, list[float]] = {}
    with noise.seeded_noise_for_tests(77):
        for i in range(4):
            rel = _release(path, run_inputs, spread, Ledger(tmp_path / f"l{i}.sqlite"))
            charged = {int(s["year"]): Fraction(s["spent_after"]) for s in rel.audit["ledger"]["after"]}
            assert set(charged) == set(years)
            t = rel.table.filter(
                ((pl.col("level") == "wijk") & (pl.col("care_type") != "all")
                 | (pl.col("level") == "wijk") & pl.col("measure").is_in(["clients", "stepped_care_clients"])
                 | pl.col("provider").is_not_null()),
                ~pl.col("measure").str.contains("per_client"),
            )
            joined = t.join(truth, on=keys, how="inner", nulls_equal=True)
            assert joined.height == t.height and (joined["status"] == "ok").mean() > 0.9
            for row in joined.filter(pl.col("status") == "ok").iter_rows(named=True):
                budget = row["measure"]
                if budget == "clients" and row["care_type"] != "all":
                    budget = "clients_by_care_type"
                eps = float(charged[row["year"]] * dict(spread.privacy.epsilon_split)[budget])
                expected = _geometric_variance(eps, _documented_sensitivity(budget, spread))
                residuals.setdefault(budget, []).append((row["value"] - row["true"]) ** 2 / expected)
    assert set(residuals) == {"clients", "clients_by_care_type", "trajectories", "cost_eur",
                              "stepped_care_clients", "provider_clients", "provider_cost_eur"}
    for budget, ratios in residuals.items():
        n = len(ratios)
        tolerance = 4 * np.sqrt(5 / n)  # the squared two-sided geometric has relative sd about sqrt(5)
        assert n >= 100 and abs(np.mean(ratios) - 1) < tolerance, (budget, n, np.mean(ratios))


def test_the_spread_of_gemeente_totals_matches_the_combined_mechanism(policy):
    """With a gemeente share, the total combines a direct release and the sum of the wijken: its variance is
    w**2 v_direct + (1 - w)**2 n v_node, with v from the epsilon of each part (computed here, not by the gate)."""
    spread = _spread_policy(policy, share=True)
    nodes, reps = [f"N{i}" for i in range(45)], 150
    grid = pl.DataFrame(
        {
            "node": nodes * 4,
            "measure": ["clients_by_care_type"] * 180,
            "year": [2022] * 180,
            "care_type": [t for t in ("a", "b", "c", "d") for _ in nodes],
            "true": [1000] * 180,
        },
        schema_overrides={"year": pl.Int32},
    )
    eps = float(spread.privacy.epsilon_for("clients_by_care_type"))
    share = float(spread.privacy.gemeente_share_for("clients_by_care_type"))
    sens = _documented_sensitivity("clients_by_care_type", spread)
    v_direct, v_node = _geometric_variance(eps * share, sens), _geometric_variance(eps * (1 - share), sens)
    w = (1 / v_direct) / (1 / v_direct + 1 / (45 * v_node))
    expected = w**2 * v_direct + (1 - w) ** 2 * 45 * v_node + 1 / 12  # + rounding to a whole number
    errors = []
    with noise.seeded_noise_for_tests(5):
        for _ in range(reps):
            out = gate._noisy_nodes(grid, "GM0000", spread)
            top = out.filter(pl.col("top"), pl.col("measure") == "clients_by_care_type")
            errors += (top["value"] - 45_000).to_list()
    ratio = np.mean(np.square(errors)) / expected
    assert len(errors) == 4 * reps and abs(ratio - 1) < 4 * np.sqrt(5 / len(errors)), ratio


# --- Released key sets and ledger charges do not depend on who is in the register -------------------------

NEIGHBOURS = {
    "a child with an unlisted provider": [("SYN-NEW", "2012", "WK051802", "jeugdreclassering",
                                           "Nowhere BV (SYNTHETIC)", "2022-03-01", "", "500")],
    "a child whose care ended before the years": [("SYN-NEW", "2012", "WK051802", "jeugdbescherming",
                                                   "Provider A (SYNTHETIC)", "2015-03-01", "2016-01-01", "9")],
    "a child above every bound, ongoing, in two wijken": [
        ("SYN-NEW", "2012", f"WK05180{2 + i % 3}", ("jeugdhulp_zonder_verblijf", "jeugdhulp_met_verblijf",
                                                    "jeugdbescherming", "jeugdreclassering")[i % 4],
         f"P{i} (SYNTHETIC)", f"2021-0{1 + i % 9}-01", "" if i % 2 else "2022-12-01", "400000")
        for i in range(9)
    ],
}


@pytest.mark.parametrize("extra", list(NEIGHBOURS.values()), ids=list(NEIGHBOURS))
def test_adding_one_child_changes_no_released_key_and_no_charge(small_register, inputs, policy, tmp_path, extra):
    years = [2021, 2022]
    run_inputs = {**inputs, "years": years}
    base = small_register.read_text().splitlines()
    header, body = base[0].split(","), [tuple(line.split(",")) for line in base[1:]]
    columns = [header.index(c) for c in HEADER]
    body = [tuple(r[i] for i in columns) for r in body]
    bigger = write_rows(tmp_path / "bigger-SYNTHETIC.csv", body[:7] + extra + body[7:])
    smaller = write_rows(tmp_path / "smaller-SYNTHETIC.csv", body)
    keys = ["region_code", "level", "year", "care_type", "measure", "provider"]
    out = []
    for i, path in enumerate((smaller, bigger)):
        rel = _release(path, run_inputs, policy, Ledger(tmp_path / f"n{i}.sqlite"))
        out.append((rel.table.select(keys).sort(keys, nulls_last=True), rel.audit))
    (a, audit_a), (b, audit_b) = out
    assert a.equals(b)
    assert audit_a["epsilon_spent_this_run"] == audit_b["epsilon_spent_this_run"] == "2"
    assert [s["year"] for s in audit_a["ledger"]["after"]] == [s["year"] for s in audit_b["ledger"]["after"]]
    assert audit_a["key_sets"] == audit_b["key_sets"]


def test_provider_keys_are_the_public_list_plus_other(inputs, policy, tmp_path):
    """Record providers outside the list (or empty) count under 'other'; their names never leave the gate."""
    rows = [
        (f"SYN-{i}", "2012", "WK051802", "jeugdhulp_zonder_verblijf", provider, "2022-02-01", "", "100")
        for i, provider in enumerate(["Listed A (SYNTHETIC)", " Listed A (SYNTHETIC) ", "Secret Clinic X", ""] * 5)
    ]
    path = write_rows(tmp_path / "p-SYNTHETIC.csv", rows)
    listed = ["Listed A (SYNTHETIC)", "Listed B (SYNTHETIC)"]
    rel = _release(path, {**inputs, "providers": listed}, policy, Ledger(tmp_path / "l.sqlite"))
    released = set(rel.table["provider"].drop_nulls())
    assert released == {*listed, "other"}
    assert "Secret Clinic X" not in rel.table.write_csv() and "Secret Clinic X" not in str(rel.audit)


def test_the_demo_register_uses_the_configured_provider_list(panel_frame):
    from ethics.synthetic import UNLISTED_PROVIDER, generate_register

    listed = ["Aanbieder Een (SYNTHETIC)", "Aanbieder Twee (SYNTHETIC)"]
    frame = generate_register(panel_frame, "GM0518", scale=0.05, seed=1, years=[2021, 2022], providers=listed)
    assert set(frame["provider"]) == {*listed, UNLISTED_PROVIDER}
    assert frame["start_date"].dt.year().unique().sort().to_list() == [2021, 2022]
    runs_on = frame.filter(pl.col("start_date").dt.year() == 2021, pl.col("end_date").dt.year() == 2022)
    assert runs_on.height > 0  # children in care from 2021 into 2022 (one row per trajectory)
    assert frame["end_date"].dt.year().max() <= 2022

"""Wmo records through the gate: their own layout (provision categories, adult birth years), the same bounds,
noise, CBS rule and egress as youth care, and their own privacy budget per reference year in the ledger.

The register here is a small hand-made SYNTHETIC one (the demo generator has its own tests)."""

from __future__ import annotations

import json
from datetime import date

import polars as pl
import pytest
from synthetic_records import gate_inputs
from typer.testing import CliRunner

from ethics import gate
from ethics._records_schema import CARE_TYPES, JEUGD, WMO, WMO_CARE_TYPES
from ethics.errors import InputDataError
from ethics.ledger import Ledger
from ethics.records import read_records, validate_records
from toolkit.cli import app

runner = CliRunner()
WIJKEN = ("WK051828", "WK051829", "WK051830", "WK051831")
YEARS = (2022, 2023, 2024)


def _rows(n: int = 400) -> list[dict]:
    """Clients born 1925-1960, one to three provisions each, of every category, over 2022-2024."""
    rows = []
    for i in range(n):
        for k in range(1 + i % 3):
            start = date(2022 + (i + k) % 3, 1 + (i * 7 + k) % 12, 1 + i % 28)
            rows.append({
                "client_id": f"SYN-W{i:05d}", "birth_year": 1925 + i % 36, "wijk_code": WIJKEN[i % 4],
                "care_type": WMO_CARE_TYPES[(i + k) % 6], "provider": "Thuiszorg Duin (SYNTHETIC)",
                "start_date": start.isoformat(), "end_date": None if (i + k) % 4 == 0 else f"{start.year}-12-31",
                "cost_eur": 1500.0 + 10 * (i % 50), "synthetic": True,
            })
    return rows


def _strings(node) -> list[str]:
    if isinstance(node, dict):
        return [s for v in node.values() for s in _strings(v)]
    if isinstance(node, list):
        return [s for v in node for s in _strings(v)]
    return [node] if isinstance(node, str) else []


@pytest.fixture(scope="module")
def wmo_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("wmo") / "wmo-SYNTHETIC.csv"
    pl.DataFrame(_rows()).write_csv(path)
    return path


@pytest.fixture(scope="module")
def wmo_inputs(panel_frame):
    return gate_inputs(panel_frame, years=YEARS) | {"providers": ["Thuiszorg Duin (SYNTHETIC)"]}


def test_a_wmo_register_is_valid_in_the_wmo_layout_and_refused_in_the_youth_care_one(wmo_file, policy):
    assert validate_records(wmo_file, policy, set(WIJKEN), layout=WMO) == []
    problems = validate_records(wmo_file, policy, set(WIJKEN), layout=JEUGD)
    assert {p.column for p in problems} == {"care_type", "birth_year"}
    rules = {p.column: p.rule for p in problems}
    assert rules["care_type"] == f"must be one of {', '.join(CARE_TYPES)}"
    assert rules["birth_year"] == "must be a birth year from 1980 up to this year"
    text = " ".join(str(p) for p in problems)
    assert "SYN-W" not in text and "hulp_bij_het_huishouden" not in text  # rule and place, never a value
    with pytest.raises(InputDataError):
        read_records(wmo_file, policy, set(WIJKEN))  # the default layout is youth care's


def test_a_youth_care_register_is_refused_in_the_wmo_layout(tmp_path, policy):
    rows = [r | {"care_type": CARE_TYPES[i % 4], "birth_year": 2010} for i, r in enumerate(_rows(20))]
    path = tmp_path / "jeugd-SYNTHETIC.csv"
    pl.DataFrame(rows).write_csv(path)
    problems = validate_records(path, policy, set(WIJKEN), layout=WMO)
    assert {p.column for p in problems} == {"care_type"}
    assert problems[0].rule == f"must be one of {', '.join(WMO_CARE_TYPES)}"
    assert problems[0].row == 1


def test_the_gate_releases_wmo_provision_categories_under_the_same_rules(wmo_file, wmo_inputs, policy, tmp_path):
    ledger = Ledger(tmp_path / "l.sqlite")
    rel = gate.release(wmo_file, policy=policy, ledger=ledger, dataset_id="wmo-test", synthetic=True,
                       domain="wmo", **wmo_inputs)
    table = rel.table
    assert set(table["care_type"]) == {"all", *WMO_CARE_TYPES}
    assert set(table["year"]) == set(YEARS)
    counts = table.filter(pl.col("measure") == "clients", pl.col("status") == "ok")
    base = policy.disclosure.rounding_base
    assert counts.height and (counts["value"] % base == 0).all()  # the CBS rule applies as for youth care
    assert (counts["value"] >= policy.disclosure.min_released_count).all()
    withheld = table.filter(pl.col("status") != "ok")
    assert withheld["value"].null_count() == withheld.height
    audit = rel.audit
    assert audit["domain"] == "wmo" and audit["unit"] == "one client (client_id) in one reference year"
    assert not [v for v in _strings(audit) if "child" in v]  # keys keep the policy's names (max_*_per_child)
    assert audit["key_sets"]["care_types"].startswith("the 6 Wmo provision categories")
    assert [s["domain"] for s in audit["ledger"]["after"]] == ["wmo"] * len(YEARS)
    rows = ledger.show(policy.privacy.total_epsilon)
    assert {(s.domain, s.year) for s in rows} == {("wmo", y) for y in YEARS}


def test_youth_care_and_wmo_of_one_gemeente_draw_on_separate_budgets(wmo_file, wmo_inputs, panel_frame, policy,
                                                                      tmp_path):
    """The same ledger and dataset id: a Wmo release neither spends nor reuses youth care's budget."""
    from ethics.synthetic import generate_register, write_register

    ledger = Ledger(tmp_path / "l.sqlite")
    youth = write_register(generate_register(panel_frame, "GM0518", scale=0.02, seed=5, years=list(YEARS)),
                           tmp_path / "jeugd.csv")
    gate.release(youth, policy=policy, ledger=ledger, dataset_id="same-id", **gate_inputs(panel_frame, years=YEARS))
    wmo = gate.release(wmo_file, policy=policy, ledger=ledger, dataset_id="same-id", domain="wmo", **wmo_inputs)
    assert wmo.audit["ledger"]["charged_years"] == list(YEARS) and not wmo.audit["ledger"]["reused_years"]
    assert all(s["spent_before"] == "0" for s in wmo.audit["ledger"]["before"])
    assert ledger.count() == 2 * len(YEARS)
    again = gate.release(wmo_file, policy=policy, ledger=ledger, dataset_id="same-id", domain="wmo", **wmo_inputs)
    assert again.audit["ledger"]["charged_years"] == []  # a Wmo rerun reuses the Wmo releases
    assert again.table.equals(wmo.table)


@pytest.mark.parametrize(("domain", "code"), [("wmo", 0), ("jeugd", 3), ("ggz", 2)])
def test_validate_checks_a_records_file_in_the_layout_of_its_domain(wmo_file, domain, code):
    result = runner.invoke(app, ["validate", "--domain", domain, str(wmo_file)])
    assert result.exit_code == code, result.output
    assert "SYN-W" not in result.output


def test_a_gemeente_without_cbs_wmo_figures_runs_on_its_own_register(tmp_path):
    """Heumen (GM0252) did not consent to CBS publication: open data alone is refused (exit 2, with what to
    supply); with its own register the register's releases and forecasts per category stand in."""
    rows = [r | {"wijk_code": ("WK025200", "WK025201")[i % 2]} for i, r in enumerate(_rows(300))]
    path = tmp_path / "heumen-wmo-SYNTHETIC.csv"
    pl.DataFrame(rows).write_csv(path)
    refused = runner.invoke(app, ["run", "--domain", "wmo", "--gemeente", "GM0252", "--out", str(tmp_path / "a")])
    assert refused.exit_code == 2 and "--records WMO.csv" in refused.output
    out = tmp_path / "b"
    result = runner.invoke(app, ["run", "--quiet", "--domain", "wmo", "--gemeente", "GM0252", "--records", str(path),
                                 "--years", "2022-2024", "--ledger", str(tmp_path / "l.sqlite"), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert set(pl.read_csv(out / "releases.csv")["care_type"]) == {"all", *WMO_CARE_TYPES}
    forecast = pl.read_csv(out / "forecast.csv", infer_schema_length=None)
    register = forecast.filter(pl.col("care_type") == "all", pl.col("level") == "gemeente")
    assert register.height == 5 and (register["status"] == "ok").all() and register["clients"].min() > 0
    assert forecast.filter(pl.col("care_type").is_null())["clients"].null_count() == forecast.filter(
        pl.col("care_type").is_null()).height  # no open-data Wmo count to forecast from
    report = (out / "audit_report.html").read_text(encoding="utf-8")
    assert "Eigen registratie Wmo (persoonsgegevens)" in report and "municipal" not in report
    domain = json.loads((out / "audit.json").read_text())["domain"]
    assert domain["in_scope_without_published_figures"] == ["GM0252"]


def test_a_wmo_birth_year_before_1900_or_an_unknown_category_is_named_by_row_and_column(tmp_path, policy):
    rows = _rows(6)
    rows[1] = rows[1] | {"birth_year": 1899}
    rows[4] = rows[4] | {"care_type": "persoonsgebonden_budget"}
    path = tmp_path / "wmo-bad-SYNTHETIC.csv"
    pl.DataFrame(rows).write_csv(path)
    problems = validate_records(path, policy, set(WIJKEN), layout=WMO)
    assert [(p.row, p.column, p.rule) for p in problems] == [
        (2, "birth_year", "must be a birth year from 1900 up to this year"),
        (5, "care_type", f"must be one of {', '.join(WMO_CARE_TYPES)}"),
    ]
    result = runner.invoke(app, ["validate", "--domain", "wmo", str(path)])
    assert result.exit_code == 3 and "1899" not in result.output and "persoonsgebonden" not in result.output

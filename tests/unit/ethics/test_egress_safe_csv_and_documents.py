"""Every written CSV is safe in a spreadsheet; documents are scanned for identifiers as tables are."""

from __future__ import annotations

import csv
import json

import polars as pl
import pytest

from ethics import egress
from ethics.errors import EgressBlocked

LONG = "<p>Wijk 01 Centrum: 12,5%</p>" * 1000  # long pages are scanned by polars' regex engine


@pytest.mark.parametrize("cell", ["=HYPERLINK(\"http://x\")", "+31 70", "-2+3", "@SUM(A1:A9)", "\tcmd", "\rcmd",
                                  "=1", "-"])
def test_cells_a_spreadsheet_would_run_are_written_as_text(policy, tmp_path, cell):
    frame = pl.DataFrame({"region_code": ["WK051802"], "region_name": [cell], "n": [-7], "x": [-0.5]})
    egress.publish([egress.Table("profiles.csv", frame)], [], policy, tmp_path / "out")
    with (tmp_path / "out" / "profiles.csv").open(newline="", encoding="utf-8") as fh:
        row = list(csv.DictReader(fh))[0]
    assert row["region_name"] == "'" + cell
    assert (row["n"], row["x"]) == ("-7", "-0.5")  # numbers stay numbers
    assert pl.read_csv(tmp_path / "out" / "profiles.csv")["n"].dtype.is_integer()


@pytest.mark.parametrize("cell", ["-3", "-1.5e3", "+4", "Den Haag", "'s-Gravenhage", "WK051802"])
def test_plain_text_and_numbers_in_text_columns_are_unchanged(policy, tmp_path, cell):
    frame = pl.DataFrame({"region_code": ["WK051802"], "region_name": [cell]})
    egress.publish([egress.Table("t.csv", frame)], [], policy, tmp_path / "out")
    assert pl.read_csv(tmp_path / "out" / "t.csv", infer_schema=False)["region_name"][0] == cell


def test_the_checked_frame_is_not_changed_by_escaping(policy, tmp_path):
    frame = pl.DataFrame({"region_code": ["WK051802"], "region_name": ["=1"]})
    table = egress.Table("t.csv", frame)
    egress.publish([table], [], policy, tmp_path / "out")
    assert table.frame["region_name"][0] == "=1"


@pytest.mark.parametrize(("doc", "reason"), [
    (egress.Document("audit.json", json.dumps({"privacy": {"example": "client 111222333"}})), "looks like a BSN"),
    (egress.Document("audit.json", json.dumps({"rows": [{"bsn": "x"}]})), "named like a direct identifier"),
    (egress.Document("audit.json", json.dumps({"note": "woont op 2512 AB"})), "postcode"),
    (egress.Document("audit.json", json.dumps({"x": [{"client_id": "c1"}]})), "named like a direct identifier"),
    (egress.Document("wijkprofielen.html", "<p>kind 111222333</p>"), "looks like a BSN"),
    (egress.Document("audit_report.html", "<td>2512AB</td>"), "postcode"),
    (egress.Document("wijkprofielen.html", LONG + "<p>kind 111222333</p>" + LONG), "looks like a BSN"),
    (egress.Document("wijkprofielen.html", LONG + "<p>2512 AB.</p>" + LONG), "postcode"),
])
def test_documents_with_identifiers_are_refused_and_nothing_is_written(policy, tmp_path, doc, reason):
    with pytest.raises(EgressBlocked, match=reason) as err:
        egress.publish([], [doc], policy, tmp_path / "out")
    assert err.value.exit_code == 4
    assert "111222333" not in str(err.value) and "2512" not in str(err.value)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("doc", [
    egress.Document("audit.json", json.dumps({"cost_eur": 111222333, "ratio": 0.111222333, "sha256": "ab" * 32,
                                              "features": [{"name": "income"}]})),
    egress.Document("wijkprofielen.html", "<p>EUR 111.222.333</p><img src=\"data:image/png;base64,AA/2512AB+1\">"),
    egress.Document("audit_report.html", "<p>123456789 (no elfproef)</p>"),
    egress.Document("wijkprofielen.html", '<svg aria-labelledby="cd132297577t"><title id="c111222333t">'),
    egress.Document("wijkprofielen.html", LONG + '<p id="c111222333t">0.111222333 1112223334 /2512AB+</p>' + LONG),
])
def test_documents_without_identifiers_pass(policy, tmp_path, doc):
    egress.publish([], [doc], policy, tmp_path / "out")
    assert (tmp_path / "out" / doc.name).read_text() == doc.text

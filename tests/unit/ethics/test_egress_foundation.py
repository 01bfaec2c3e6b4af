"""First egress checks: region keys, forbidden names, withheld cells, atomic publish."""

from __future__ import annotations

import polars as pl
import pytest

from ethics import egress
from ethics.errors import EgressBlocked


def _table(**cols) -> egress.Table:
    base = {"region_code": ["WK051802", "GM0518"], "value": [1.0, None], "status": ["ok", "secret"]}
    base.update(cols)
    return egress.Table("t.csv", pl.DataFrame(base), withheld=("value",))


@pytest.mark.parametrize(("table", "reason"), [
    (_table(region_code=["BU05180201", "GM0518"]), "below wijk level"),
    (_table(region_code=["1234AB", "GM0518"]), "below wijk level"),
    (_table(bsn=["x", "y"]), "forbidden name"),
    (_table(value=[1.0, 0.0]), "withheld values must be empty"),
    (_table(status=["ok", "hidden"]), "status must be one of"),
    (_table(note=["111222333", ""]), "looks like a BSN"),
    (_table(note=["2512 AB", ""]), "postcode"),
    (_table(note=["2011-04-01", ""]), "exact date"),
])
def test_egress_refuses(table, reason, policy, tmp_path):
    with pytest.raises(EgressBlocked, match=reason) as err:
        egress.publish([table], [], policy, tmp_path / "out")
    assert err.value.exit_code == 4
    assert not (tmp_path / "out").exists()
    assert list(tmp_path.iterdir()) == []


def test_alphanumeric_wijk_codes_since_2023_pass(policy, tmp_path):
    # Amsterdam recoded its wijken in 2023 to codes such as WK0363AA (real CBS 2024 codes).
    egress.publish([_table(region_code=["WK0363AA", "GM0363"])], [], policy, tmp_path / "out")
    assert (tmp_path / "out" / "t.csv").exists()


def test_records_table_without_gate_token_is_refused(policy, tmp_path):
    t = egress.Table("releases.csv", _table().frame, withheld=("value",), from_records=True)
    with pytest.raises(EgressBlocked, match="did not pass the privacy gate"):
        egress.publish([t], [], policy, tmp_path / "out")


def test_publish_replaces_an_earlier_output_of_wijksignaal_whole(policy, tmp_path):
    out = tmp_path / "out"
    egress.publish([_table(), egress.Table("old.csv", _table().frame)], [], policy, out)
    egress.publish([_table()], [egress.Document("audit.json", "{}")], policy, out)
    assert sorted(p.name for p in out.iterdir()) == [egress.MARKER, "audit.json", "t.csv"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


@pytest.mark.parametrize("name", ["BSN", " bsn ", '"bsn"', "Date of Birth", "date-of-birth", "Postcode"])
def test_one_identifier_rule_for_headers_and_outputs(policy, name):
    assert policy.identifiers.is_forbidden(name)
    assert not policy.identifiers.is_forbidden("wijk_code")

"""The hostile-input corpus: configs, policies, scenarios, input paths, records values, identifier headers,
indicator files and ledgers that a new user or an attacker might pass.

One table; each case writes its files into a fresh folder, runs the CLI in-process (typer's CliRunner) and
asserts: the documented exit code (ARCHITECTURE.md: 2 usage/config/unusable path, 3 invalid input data,
4 refused by the ethics policy), a message that names the problem (file, key or column), no personal value
in the output (every record here carries the marker SECRET in its client id and other tell-tale values),
and nothing written (the case folder holds exactly what the case wrote: no output folder, no temporary
folder).
All records are SYNTHETIC.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from synthetic_records import HEADER, ROW, write_rows
from typer.testing import CliRunner

from toolkit.cli import app

runner = CliRunner()
SECRET = "SYN-SECRET-7731"
BIG_COST = "987654321987"
# Tell-tale values that must never be echoed (personal values of the SYNTHETIC records, never a config value).
NEVER = (SECRET, BIG_COST, "111222333", "123456782")
BASE_POLICY = (Path(__file__).resolve().parents[2] / "configs" / "ethics.toml").read_text(encoding="utf-8")

Make = Callable[[Path], list[str]]


# ---------------------------------------------------------------- builders
def policy(text: str, replace: str | None = None, command: str = "run") -> Make:
    """`run --policy FILE` with `text` as the whole file, or the default policy with `replace` -> `text`.

    With command="validate" the policy file itself is the file validated (any file would do: the policy
    is loaded first)."""
    def make(tmp: Path) -> list[str]:
        content = BASE_POLICY.replace(replace, text, 1) if replace else text
        assert replace is None or replace in BASE_POLICY
        path = tmp / "policy.toml"
        path.write_text(content, encoding="utf-8")
        return [command, "--policy", str(path), *([str(path)] if command == "validate" else [])]
    return make


def run_config(text: str) -> Make:
    def make(tmp: Path) -> list[str]:
        (tmp / "run.toml").write_text(text, encoding="utf-8")
        return ["run", "--config", str(tmp / "run.toml")]
    return make


def scenario(text: str) -> Make:
    def make(tmp: Path) -> list[str]:
        (tmp / "scenario.toml").write_text(text, encoding="utf-8")
        return ["run", "--scenario", str(tmp / "scenario.toml")]
    return make


def args(*argv: str) -> Make:
    return lambda tmp: [a.replace("{tmp}", str(tmp)) for a in argv]


def folder_as(option: str, command: str = "run") -> Make:
    def make(tmp: Path) -> list[str]:
        (tmp / "a-folder").mkdir()
        return [command, option, str(tmp / "a-folder")] if option else [command, str(tmp / "a-folder")]
    return make


def _row(**changes: str) -> tuple[str, ...]:
    values = dict(zip(HEADER, ROW, strict=True)) | {"client_id": SECRET} | changes
    return tuple(values[c] for c in HEADER)


def records(*changes: dict[str, str], command: str = "run", name: str = "records.csv") -> Make:
    """A small SYNTHETIC register: three valid rows, then one row per change."""
    def make(tmp: Path) -> list[str]:
        rows = [_row(client_id=f"SYN-{i}") for i in range(3)] + [_row(**c) for c in changes]
        path = write_rows(tmp / name, rows)
        return [command, *(["--records"] if command == "run" else []), str(path)]
    return make


def parquet(change: dict[str, object]) -> Make:
    """The same small register as Parquet, with typed columns (the fast reader's path)."""
    def make(tmp: Path) -> list[str]:
        import polars as pl

        csv = records({k: v for k, v in change.items() if isinstance(v, str)})(tmp)[-1]
        frame = pl.read_csv(csv, infer_schema=False).with_columns(pl.col("cost_eur").cast(pl.Float64))
        if "cost_eur" in change:
            frame = frame.with_columns(pl.Series("cost_eur", [1200.0] * 3 + [change["cost_eur"]]))
        Path(csv).unlink()
        frame.write_parquet(tmp / "records.parquet")
        return ["run", "--records", str(tmp / "records.parquet")]
    return make


def _to_utf16(path: Path) -> Path:
    path.write_bytes(path.read_text(encoding="utf-8").encode("utf-16"))
    return path


def ids(values: list[str], command: str = "run") -> Make:
    def make(tmp: Path) -> list[str]:
        rows = [_row(client_id=v, start_date=f"2022-01-{i % 28 + 1:02d}") for i, v in enumerate(values)]
        path = write_rows(tmp / "records.csv", rows)
        return [command, *(["--records"] if command == "run" else []), str(path)]
    return make


def header(*extra: str, command: str = "run", filler: int = 0) -> Make:
    """Records with extra columns (after `filler` harmless ones, to push a name far to the right)."""
    def make(tmp: Path) -> list[str]:
        cols = (*HEADER, *(f"extra_{i}" for i in range(filler)), *extra)
        row = (*_row(), *("x" for _ in range(filler + len(extra))))
        path = write_rows(tmp / "records.csv", [row], header=cols)
        return [command, *(["--records"] if command == "run" else []), str(path)]
    return make


def raw_file(name: str, content: bytes, option: str | None = "--records", command: str = "run") -> Make:
    def make(tmp: Path) -> list[str]:
        (tmp / name).write_bytes(content)
        return [command, *([option] if option else []), str(tmp / name)]
    return make


def kwb(header_line: str, rows: str = "", command: str = "run") -> Make:
    def make(tmp: Path) -> list[str]:
        (tmp / "kwb.csv").write_text(header_line + "\n" + rows, encoding="utf-8")
        return [command, *(["--indicators"] if command == "run" else []), str(tmp / "kwb.csv")]
    return make


def ledger_file(content: bytes, command: tuple[str, ...] = ("ledger", "verify")) -> Make:
    def make(tmp: Path) -> list[str]:
        (tmp / "ledger.sqlite").write_bytes(content)
        return [*command, "--ledger", str(tmp / "ledger.sqlite")]
    return make


DEEP_JSON = ("[" * 100_000 + "]" * 100_000).encode()
WIDE = 70_000 // 10  # filler columns of ~10 bytes: the identifier sits beyond 64 KiB of header
BSNS = ["111222333", "123456782", "100000009", "999999990", "010000008"]  # pass the elfproef (SYNTHETIC)

# (case id, make, expected exit code, texts the message must contain)
CASES: list[tuple[str, Make, int, tuple[str, ...]]] = [
    # --- ethics policy (--policy): wrong types and ranges, exit 2 naming file and key
    ("policy rounding_base float", policy("rounding_base = 2.5", "rounding_base = 5"), 2,
     ("policy.toml", "disclosure.rounding_base")),
    ("policy sketch_size float", policy("sketch_size = 16.5", "sketch_size = 256"), 2, ("privacy.sketch_size",)),
    ("policy n_boot float", policy("n_boot = 100.5", "n_boot = 1000"), 2, ("fairness.n_boot",)),
    ("policy bootstrap_seed negative", policy("bootstrap_seed = -1", "bootstrap_seed = 20240601"), 2,
     ("fairness.bootstrap_seed",)),
    ("policy cost_clip huge float", policy("cost_clip_eur = [0, 1e300]", "cost_clip_eur = [0, 250000]"), 2,
     ("privacy.cost_clip_eur",)),
    ("policy min_youth inf", policy("min_youth_population = inf", "min_youth_population = 100"), 2,
     ("disclosure.min_youth_population",)),
    ("policy max_ratio nan", policy("max_ratio_flag = nan", "max_ratio_flag = 1.25"), 2,
     ("fairness.max_ratio_flag",)),
    ("policy epsilon float", policy('total_epsilon = 0.5', 'total_epsilon = "3"'), 2, ("privacy.total_epsilon",)),
    ("policy epsilon above total", policy('epsilon_per_release = "4"', 'epsilon_per_release = "1"'), 2,
     ("epsilon_per_release",)),
    ("policy epsilon text", policy('total_epsilon = "drie"', 'total_epsilon = "3"'), 2, ("privacy.total_epsilon",)),
    ("policy unknown key", policy("secret_max = 7\nsecret_maxx = 3", "secret_max = 7"), 2,
     ("disclosure.secret_maxx", "not a known setting")),
    ("policy unknown section", policy("[disclosur]\nrounding_base = 5\n"), 2, ("disclosur",)),
    ("policy on_fail number", policy("on_fail = 5", 'on_fail = "flag"'), 2, ("fairness.on_fail",)),
    ("policy section is a scalar", policy("regions = 5\n"), 2, ("'regions'", "table")),
    ("policy unknown level", policy('allowed_levels = ["buurt"]', 'allowed_levels = ["wijk", "gemeente", "land"]'),
     2, ("regions.allowed_levels",)),
    ("policy split does not sum to 1", policy('clients = "1/10"', 'clients = "3/10"'), 2, ("epsilon_split",)),
    ("policy without bsn", policy('[identifiers]\nforbidden_columns = ["naam"]\n'), 2,
     ("identifiers.forbidden_columns", "bsn")),
    ("policy boolean as number", policy("rounding_base = true", "rounding_base = 5"), 2,
     ("disclosure.rounding_base",)),
    ("policy ci_level above 1", policy("ci_level = 1.5", "ci_level = 0.95"), 2, ("fairness.ci_level",)),
    ("policy impossible reference date", policy('reference_date = "02-30"', 'reference_date = "12-31"'), 2,
     ("reference_date",)),
    ("policy string as integer", policy('secret_max = "7"', "secret_max = 7"), 2, ("disclosure.secret_max",)),
    ("policy not TOML", policy("[[[ not toml"), 2, ("policy.toml", "not valid TOML")),
    ("policy UTF-16", lambda tmp: ((tmp / "policy.toml").write_bytes("preset = 'x'".encode("utf-16")),
                                   ["run", "--policy", str(tmp / "policy.toml")])[1], 2, ("not valid TOML",)),
    ("policy larger than 1 MiB", policy("# " + "x" * (1 << 20) + "\n"), 2, ("larger than 1 MiB",)),
    ("policy missing", args("run", "--policy", "{tmp}/nope.toml"), 2, ("nope.toml", "does not exist")),
    ("policy is a folder", folder_as("--policy"), 2, ("a-folder", "folder")),
    ("validate with bad policy", policy("n_boot = 100.5", "n_boot = 1000", command="validate"), 2,
     ("fairness.n_boot",)),
    # --- run config (--config) and command-line options
    ("config horizon as text", run_config('[forecast]\nhorizon_years = "5"\n'), 2,
     ("run.toml", "forecast.horizon_years")),
    ("config top_signals negative", run_config("[profiles]\ntop_signals = -1\n"), 2, ("profiles.top_signals",)),
    ("config scope scalar", run_config("scope = 5\n"), 2, ("'scope'", "table")),
    ("config gemeente code", run_config('[scope]\ngemeenten = ["XX0518"]\n'), 2, ("scope.gemeenten",)),
    ("config no gemeente", run_config("[scope]\ngemeenten = []\n"), 2, ("scope.gemeenten",)),
    ("config horizon nan", run_config("[forecast]\nhorizon_years = nan\n"), 2, ("forecast.horizon_years",)),
    ("config horizon too long", run_config("[forecast]\nhorizon_years = 11\n"), 2, ("forecast.horizon_years",)),
    ("config unknown table", run_config("[profilez]\ntop_signals = 3\n"), 2, ("profilez", "not a known setting")),
    ("config dataset_id number", run_config("[records]\ndataset_id = 5\n"), 2, ("records.dataset_id",)),
    ("config not TOML", run_config("horizon_years = = 5\n"), 2, ("run.toml", "not valid TOML")),
    ("option lang", args("run", "--lang", "fr"), 2, ("--lang",)),
    ("option gemeente", args("run", "--gemeente", "GM05"), 2, ("--gemeente",)),
    ("option as-of", args("run", "--as-of", "3"), 2, ("--as-of",)),
    ("option records and demo", args("run", "--records", "{tmp}/x.csv", "--demo-records"), 2, ("--records",)),
    # --- input paths: missing, folders, unreadable kinds (exit 2, the option named)
    ("records missing", args("run", "--records", "{tmp}/nope.csv"), 2, ("--records", "nope.csv")),
    ("records is a folder", folder_as("--records"), 2, ("--records",)),
    ("indicators missing", args("run", "--indicators", "{tmp}/nope.json"), 2, ("--indicators",)),
    ("indicators is a folder", folder_as("--indicators"), 2, ("--indicators",)),
    ("scenario missing", args("run", "--scenario", "{tmp}/nope.toml"), 2, ("--scenario",)),
    ("scenario is a folder", folder_as("--scenario"), 2, ("--scenario",)),
    ("config is a folder", folder_as("--config"), 2, ("a-folder", "folder")),
    ("validate missing", args("validate", "{tmp}/nope.csv"), 2, ("nope.csv",)),
    ("validate folder", folder_as("", command="validate"), 2, ("a-folder",)),
    ("scenario factor nan", scenario('[scenario]\nname = "x"\n[prices]\nfactor = nan\n'), 2,
     ("scenario.toml", "prices.factor")),
    ("scenario typo in key", scenario('[scenario]\nname = "x"\n[prices]\nfactr = 1.1\n'), 2,
     ("scenario.toml", "prices.factr")),
    ("scenario table is a scalar", scenario('rates = 5\n[scenario]\nname = "x"\n'), 2, ("scenario.toml", "'rates'")),
    ("unknown gemeente", args("run", "--gemeente", "GM9999"), 2, ("GM9999",)),
    # --- records values (exit 3: file, row and column named; never the value)
    ("records cost NaN", records({"cost_eur": "NaN"}), 3, ("row 4, column 'cost_eur'",)),
    ("records cost inf", records({"cost_eur": "inf"}), 3, ("row 4, column 'cost_eur'",)),
    ("records cost 1e309", records({"cost_eur": "1e309"}), 3, ("row 4, column 'cost_eur'",)),
    ("records cost absurd", records({"cost_eur": BIG_COST}), 3, ("row 4, column 'cost_eur'",)),
    ("records start 0001-01-01", records({"start_date": "0001-01-01"}), 3, ("row 4, column 'start_date'",)),
    ("records start 9999-12-31", records({"start_date": "9999-12-31"}), 3, ("row 4, column 'start_date'",)),
    ("records end 9999-12-31", records({"end_date": "9999-12-31"}), 3, ("row 4, column 'end_date'",)),
    ("records birth year huge", records({"birth_year": "99999999999999999999"}), 3, ("row 4, column 'birth_year'",)),
    ("records CSV named parquet", records(name="records.parquet"), 3, ("records.parquet", "Parquet")),
    ("validate CSV named parquet", records(name="records.parquet", command="validate"), 3, ("Parquet",)),
    ("records Parquet cost NaN", parquet({"cost_eur": float("nan")}), 3, ("row 4, column 'cost_eur'",)),
    ("records Parquet date 9999", parquet({"start_date": "9999-12-31"}), 3, ("row 4, column 'start_date'",)),
    ("records UTF-16", lambda tmp: [*records()(tmp)[:2], str(_to_utf16(tmp / "records.csv"))], 3, ("records.csv",)),
    ("records binary garbage", raw_file("records.csv", bytes(range(256)) * 4), 3, ("records.csv",)),
    ("validate cost NaN", records({"cost_eur": "NaN"}, command="validate"), 3, ("row 4, column 'cost_eur'",)),
    ("validate date 9999", records({"end_date": "9999-12-31"}, command="validate"), 3, ("column 'end_date'",)),
    # --- client ids that are BSNs (exit 4, the column and counts named, never an id)
    ("records BSN client ids", ids(BSNS), 4, ("client_id", "elfproef")),
    ("validate BSN client ids", ids(BSNS, command="validate"), 4, ("client_id", "elfproef")),
    ("records BSN ids without leading zero", ids([b.lstrip("0") for b in BSNS[2:]] + ["012345672"]), 4,
     ("client_id",)),
    # --- identifier column names, same rule in run and validate (exit 4)
    ("header client_bsn", header("client_bsn"), 4, ("client_bsn",)),
    ("header bsn_nummer", header("bsn_nummer"), 4, ("bsn_nummer",)),
    ("header BSN-nummer", header("BSN-nummer"), 4, ("bsn_nummer",)),
    ("header b s n", header("b s n"), 4, ("records.csv",)),
    ("header zero-width B\u200bSN", header("B\u200bSN"), 4, ("records.csv",)),
    ("header soft hyphen", header("geboorte\u00addatum"), 4, ("records.csv",)),
    ("header accented", header("Géboortedatum"), 4, ("records.csv",)),
    ("header camelCase clientBsn", header("clientBsn"), 4, ("records.csv",)),
    ("header fullwidth BSN", header("\uff22\uff33\uff2e"), 4, ("records.csv",)),
    ("header bsn beyond 64 KiB (run)", header("bsn", filler=WIDE), 4, ("'bsn'",)),
    ("header bsn beyond 64 KiB (validate)", header("bsn", filler=WIDE, command="validate"), 4, ("'bsn'",)),
    ("validate header client_bsn", header("client_bsn", command="validate"), 4, ("client_bsn",)),
    ("validate header B\u200bSN", header("B\u200bSN", command="validate"), 4, ("records.csv",)),
    # --- indicator files (--indicators)
    ("indicators JSON nested 100000 deep", raw_file("kwb.json", DEEP_JSON, "--indicators"), 3,
     ("kwb.json", "nested too deeply")),
    ("validate JSON nested 100000 deep", raw_file("kwb.json", DEEP_JSON, None, "validate"), 3,
     ("nested too deeply",)),
    ("indicators JSON not a list", raw_file("kwb.json", b'{"a": 1}', "--indicators"), 3, ("kwb.json", "JSON")),
    ("indicators JSON invalid", raw_file("kwb.json", b"[{", "--indicators"), 3, ("kwb.json", "not valid JSON")),
    ("indicators empty file", raw_file("kwb.csv", b"", "--indicators"), 3, ("kwb.csv",)),
    ("indicators bsn column", kwb("gwb_code_10;regio;bsn", "WK051801;x;1\n"), 4, ("bsn",)),
    ("indicators client_bsn beyond 1 MiB", kwb("gwb_code_10;" + ";".join(f"k{i}" for i in range(150_000))
                                               + ";client_bsn"), 4, ("client_bsn",)),
    ("indicators duplicate columns", kwb("gwb_code_10;a_inw;a_inw", "WK051801;1;2\n"), 3, ("column 'a_inw'",)),
    ("indicators latin-1 header", raw_file("kwb.csv", "gwb_code_10;r\u00e9gio\nWK051801;x\n".encode("latin-1"),
                                           "--indicators"), 3, ("kwb.csv", "UTF-8")),
    # --- ledgers
    ("ledger not SQLite (verify)", ledger_file(b"this is not a database\n"), 2, ("ledger.sqlite",)),
    ("ledger not SQLite (show)", ledger_file(b"\x00" * 4096, ("ledger", "show")), 2, ("ledger.sqlite",)),
    ("ledger is a folder (run)", lambda tmp: [*folder_as("--ledger")(tmp), "--demo-records"], 2, ("a-folder",)),
]


def _snapshot(folder: Path) -> dict[str, tuple[int, int]]:
    return {str(p.relative_to(folder)): (p.stat().st_size, p.stat().st_mtime_ns)
            for p in sorted(folder.rglob("*"))}


@pytest.mark.parametrize(("case", "make", "expected_exit", "expected"), CASES, ids=[c[0] for c in CASES])
def test_hostile_input_is_refused_by_name_and_nothing_is_written(tmp_path, case, make, expected_exit, expected):
    work = tmp_path / "case"
    work.mkdir()
    argv = make(work)
    if argv[0] == "run":
        # The ledger lives outside the case folder: opening it is the gate's business (tests/unit/ethics).
        argv += ["--out", str(work / "out"), *([] if "--ledger" in argv else ["--ledger", str(tmp_path / "l.sqlite")])]
    before = _snapshot(work)
    result = runner.invoke(app, argv)
    assert result.exit_code == expected_exit, f"{case}: {result.output}"
    for text in expected:
        assert text in result.output, f"{case}: {text!r} not in {result.output!r}"
    assert "This is a bug" not in result.output
    assert not any(value in result.output for value in NEVER), result.output
    assert _snapshot(work) == before, "a refused run wrote or changed a file"


def test_the_corpus_is_large_and_covers_every_kind():
    assert len(CASES) >= 60
    kinds = {c[0].split()[0] for c in CASES}
    assert {"policy", "config", "records", "header", "indicators", "ledger", "validate"} <= kinds

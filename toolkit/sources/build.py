"""Build the embedded panel from the raw CBS files in ../shared/data, deterministically.

Run as `python -m toolkit.sources.build ../shared/data` (or `make data`). Writes, into
`toolkit/sources/data/`: panel.parquet (wijk, gemeente and land rows per year), provenance.parquet
(source per column and year) and wijken_2024.geojson.gz (the 2024 wijk map).

Years: 2018-2020 (salvaged KWB variables), 2021 and 2022 (KWB short codes plus the CBS youth-care table) and
2024 (KWB 2024, table 85984NED, OData keys). 2023 does not exist here and is never filled in.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import sys
from pathlib import Path

import polars as pl

from toolkit.sources import _cbs
from toolkit.sources._kwb_columns import ODATA_GEMEENTE_NAME, ODATA_REGION, odata_stem
from toolkit.sources.bridge import add_youth_care_rate
from toolkit.sources.dictionary import (
    BY_NAME,
    DECIMAL_FIX_2021,
    ID_COLUMNS,
    JEUGDZORG_TO_NAME,
    KWB_CODE_TO_NAME,
    ODATA_TO_NAME,
)
from toolkit.sources.schemas import kind_of

__all__ = ["DATA_DIR", "build_panel", "write_embedded", "content_hash", "main"]

DATA_DIR = Path(__file__).resolve().parent / "data"
KWB_FILE = "cbs/kwb_2021_2022_wijk_gemeente_jeugdhulp.csv"
SALVAGED_FILE = "cbs/kwb_wijk_2018_2020_salvaged.csv"
GEMEENTE_FILE = "cbs/jeugdhulp_gemeente_2022.csv"
INDICATOREN_FILE = "cbs/indicatoren_jeugdzorg_gemeenten_2022.csv"
KWB_2024_FILE = "cbs/kwb_2024_wijk_gemeente_85984NED.csv"
MAP_FILE = "maps/wijken_2024.geojson"
SRC_KWB = {2021: "CBS Kerncijfers wijken en buurten 2021 (kwb-2021.xls)",
           2022: "CBS Kerncijfers wijken en buurten 2022 (kwb-2022.xls)",
           2024: "CBS Kerncijfers wijken en buurten 2024 (StatLine 85984NED, OData keys matched on their name)"}
ORIGIN_OUTSIDE_EUROPE = "BuitenEuropa"
SRC_ORIGIN = ("; pop_nonwestern_migration 2024 = herkomst buiten Europa (BuitenEuropa, total), CBS's successor of "
              "niet-westers")
SRC_NL_SUM = "; NL00 row: sum over the gemeente rows (KWB 2024 has no NL row)"
SRC_JZ = {2021: "CBS StatLine 85075NED Jeugdzorg; wijken en buurten 2021",
          2022: "CBS StatLine 85335NED Jeugdzorg; wijken en buurten 2022"}
SRC_SALVAGED = "CBS Kerncijfers wijken en buurten {year} (salvaged, only values flagged ok)"
SRC_INDICATOREN = "CBS StatLine Indicatoren jeugdzorg; gemeenten 2022 (provisional)"
INDICATOR_COLUMNS = {  # column position in the StatLine download -> panel name
    2: "pct_youth_jeugdhulp", 3: "pct_youth_jeugdhulp_residential", 4: "pct_youth_protection",
    6: "pct_youth_probation",
}


def _lost_decimal_comma(col: str) -> pl.Expr:
    """True for a 2021 cell written without a decimal mark ("393" for 39.3, "08" for 0.8).

    SOURCES.md: the 2021 rows of the one-decimal columns lost their decimal comma. A cell that still has its
    decimal point ("39.3") was not affected and must not be divided again.
    """
    text = pl.col(col).cast(pl.String).str.strip_chars()
    return (pl.col("year").str.strip_chars() == "2021") & text.str.contains(r"^-?\d+$").fill_null(False)


def _read_kwb(path: Path) -> pl.DataFrame:
    raw = pl.read_csv(path, infer_schema=False)
    code = pl.col("gwb_code_10").str.strip_chars()
    year = pl.col("year").str.strip_chars().cast(pl.Int32)
    value_cols = [c for c in (*KWB_CODE_TO_NAME, *JEUGDZORG_TO_NAME) if c in raw.columns]

    def number(c: str) -> pl.Expr:
        value = _cbs.to_number(c, allow_negative=(c == "m_hh_ver"))
        return pl.when(_lost_decimal_comma(c)).then(value / 10).otherwise(value).alias(c) \
            if c in DECIMAL_FIX_2021 else value

    frame = raw.select(code.alias("region_code"), year.alias("year"), _cbs.clean_text("regio"),
                       _cbs.clean_text("gm_naam"), *[number(c) for c in value_cols])
    frame = frame.rename({**KWB_CODE_TO_NAME, **JEUGDZORG_TO_NAME}, strict=False)
    return frame.rename({"regio": "region_name", "gm_naam": "gemeente_name"})


def _read_salvaged(path: Path) -> pl.DataFrame:
    raw = pl.read_csv(path, infer_schema_length=0)
    names = [c for c in raw.columns if f"{c}__flag" in raw.columns]
    rename = {v.salvaged: v.name for v in BY_NAME.values() if v.salvaged}
    values = [pl.when(pl.col(f"{c}__flag") == "ok").then(_cbs.to_number(c)).otherwise(None).alias(c) for c in names]
    frame = raw.select(pl.col("region_code").str.strip_chars(), pl.col("year").cast(pl.Int32), *values)
    return frame.rename({k: v for k, v in rename.items() if k in names})


def _read_gemeente_jeugdhulp(path: Path) -> pl.DataFrame:
    raw = pl.read_csv(path, infer_schema=False)
    numbers = [_cbs.to_number(c) for c in JEUGDZORG_TO_NAME if c in raw.columns]
    frame = raw.select(_cbs.clean_text("Wijken").alias("region_code"),
                       pl.col("Perioden").str.slice(0, 4).cast(pl.Int32).alias("year"), *numbers)
    return frame.rename(JEUGDZORG_TO_NAME, strict=False)


def _read_indicatoren(path: Path) -> pl.DataFrame:
    raw = pl.read_csv(path, separator=";", infer_schema=False, encoding="utf8")
    cols = raw.columns
    exprs = [_cbs.to_number(cols[i]).alias(name) for i, name in INDICATOR_COLUMNS.items()]
    year = pl.col(cols[1]).str.replace(r"\*$", "").cast(pl.Int32).alias("year")
    return raw.select(pl.col(cols[0]).str.strip_chars().alias("gemeente_name"), year, *exprs)


def _indicatoren_by_code(ind: pl.DataFrame, kwb: pl.DataFrame) -> pl.DataFrame:
    """Give the StatLine rows (keyed by gemeente name) their region code.

    Names match the KWB gemeente names exactly, except that StatLine adds a province or "(gemeente)"
    suffix ("Beek (L.)", "Utrecht (gemeente)"); such a suffix is dropped when that makes a unique match.
    "Nederland" is NL00. Gemeenten merged away before 2022 (all values empty) stay unmatched.
    """
    gm = kwb.filter(pl.col("region_code").str.starts_with("GM")).group_by("gemeente_name").agg(
        pl.col("region_code").first(), pl.col("region_code").n_unique().alias("n"))
    lookup = {r["gemeente_name"]: r["region_code"] for r in gm.iter_rows(named=True) if r["n"] == 1}
    lookup["Nederland"] = "NL00"

    def code(name: str) -> str | None:
        return lookup.get(name) or lookup.get(name.rsplit(" (", 1)[0])

    codes = pl.Series("region_code", [code(n) for n in ind["gemeente_name"]], dtype=pl.String)
    return ind.with_columns(codes).drop("gemeente_name").drop_nulls("region_code")


def _map_features(path: Path) -> list[dict]:
    return json.loads(path.read_text(encoding="utf-8"))["features"]


def _read_kwb_2024(path: Path, features: list[dict]) -> pl.DataFrame:
    """KWB 2024 (OData keys, matched on the name before the number): gemeente and wijk rows.

    Wijk names come from the 2024 map (the table carries only the gemeente name); the youth-care count is
    the KWB column (`youth_care_clients` = `youth_care_clients_kwb`, as for a user KWB file).
    """
    raw = pl.read_csv(path, infer_schema=False)
    stems = {odata_stem(k): v for k, v in ODATA_TO_NAME.items()}
    mapped = {c: stems[odata_stem(c)] for c in raw.columns if odata_stem(c) in stems}
    column = {odata_stem(c): c for c in raw.columns}
    code = pl.col(column[odata_stem(ODATA_REGION)]).str.strip_chars()
    wijknaam = {f["properties"]["wijkcode"]: f["properties"]["wijknaam"].strip() for f in features}
    frame = raw.select(code.alias("region_code"), pl.lit(2024, pl.Int32).alias("year"),
                       _cbs.clean_text(column[odata_stem(ODATA_GEMEENTE_NAME)]).alias("gemeente_name"),
                       *[_cbs.to_number(c).alias(name) for c, name in mapped.items()])
    name = (pl.when(pl.col("region_code").str.starts_with("GM")).then(pl.col("gemeente_name"))
            .otherwise(pl.col("region_code").replace_strict(wijknaam, default=None, return_dtype=pl.String)))
    frame = frame.with_columns(_origin_outside_europe(raw).alias("pop_nonwestern_migration"))
    return frame.with_columns(name.alias("region_name"), pl.col("youth_care_clients_kwb").alias("youth_care_clients"))


def _origin_outside_europe(raw: pl.DataFrame) -> pl.Series:
    """KWB 2024's inhabitants of origin outside Europe (herkomstland buiten Europa, all generations).

    CBS replaced "niet-westerse migratieachtergrond" by this classification in 2022 (Turkey, Indonesia and
    Japan now count outside Europe), so it continues `pop_nonwestern_migration` for the fairness audit's
    migration terciles (an audit grouping, never a model feature). Three columns share the stem
    `BuitenEuropa` (total, born in NL, born abroad); the total is the one that equals the sum of the other two
    (within CBS's rounding of wijk figures to 5: at most 10 apart).
    """
    cols = [c for c in raw.columns if odata_stem(c) == ORIGIN_OUTSIDE_EUROPE]
    values = {c: raw.select(_cbs.to_number(c)).to_series() for c in cols}
    for total in cols:
        parts = [values[c] for c in cols if c != total]
        if len(parts) == 2 and ((parts[0] + parts[1] - values[total]).abs().max() or 0) <= 10:  # type: ignore[operator]
            return values[total]
    raise ValueError(f"KWB 2024: no total among the {ORIGIN_OUTSIDE_EUROPE} columns {cols}")


def _land_2024(kwb_2024: pl.DataFrame) -> pl.DataFrame:
    """An NL00 row for 2024: counts summed over all gemeente rows where every gemeente has a value.

    KWB 2024 has no row for the Netherlands; its gemeenten cover the whole country (their populations sum to
    CBS's 17,942,942 of 1 January 2024). Percentages, averages and densities are not sums: left missing.
    """
    gm = kwb_2024.filter(pl.col("region_code").str.starts_with("GM"))
    counts = [c for c in gm.columns if c not in ID_COLUMNS and kind_of(c) == "count"]
    sums = [pl.when(pl.col(c).is_not_null().all()).then(pl.col(c).sum()).otherwise(None).alias(c) for c in counts]
    return gm.select(*sums).with_columns(pl.lit("NL00").alias("region_code"), pl.lit(2024, pl.Int32).alias("year"),
                                         pl.lit("Nederland").alias("region_name"))


def _provenance(panel: pl.DataFrame) -> pl.DataFrame:
    rows = []
    for col in panel.columns:
        if col in ID_COLUMNS:
            continue
        for year in sorted(panel["year"].unique().to_list()):
            n = panel.filter(pl.col("year") == year)[col].is_not_null().sum()
            if n:
                rows.append({"column": col, "year": year, "n_values": n, "source": _source_of(col, year)})
    return pl.DataFrame(rows, schema_overrides={"year": pl.Int32}).sort("column", "year")


def _source_of(col: str, year: int) -> str:
    if col in {"youth_care_rate_pct", "youth_care_rate_method", "youth_0_22_est"}:
        return "derived: see toolkit/sources/bridge.py (definition changes between 2020 and 2021)"
    if col.startswith("pct_youth_") and col != "pct_youth_care_kwb":
        return SRC_INDICATOREN
    if year <= 2020:
        return SRC_SALVAGED.format(year=year)
    if year == 2024:
        return (SRC_KWB[2024] + (SRC_ORIGIN if col == "pop_nonwestern_migration" else "")
                + (SRC_NL_SUM if kind_of(col) == "count" else ""))
    if col in JEUGDZORG_TO_NAME.values():
        return SRC_JZ[year] + ("; NL and gemeente rows of 2022 completed from the gemeente table" if year == 2022
                               else "")
    return SRC_KWB[year]


def build_panel(shared: Path) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The harmonised region-year panel and its provenance table, from the raw CBS files."""
    kwb = _read_kwb(shared / KWB_FILE)
    gem = _read_gemeente_jeugdhulp(shared / GEMEENTE_FILE)
    kwb = kwb.update(gem, on=["region_code", "year"], how="left")  # fills NL00 2022 and missing gemeente cells
    names = kwb.filter(pl.col("year") == 2022).select("region_code", "region_name", "gemeente_name")
    salvaged = _read_salvaged(shared / SALVAGED_FILE).join(names, on="region_code", how="left")
    kwb_2024 = _read_kwb_2024(shared / KWB_2024_FILE, _map_features(shared / MAP_FILE))
    panel = pl.concat([kwb, salvaged, kwb_2024, _land_2024(kwb_2024)], how="diagonal_relaxed")
    panel = panel.with_columns(_cbs.level_of(pl.col("region_code")).alias("level"),
                               _cbs.gemeente_of(pl.col("region_code")).alias("gemeente_code"))
    ind = _indicatoren_by_code(_read_indicatoren(shared / INDICATOREN_FILE), kwb)
    panel = panel.join(ind, on=["region_code", "year"], how="left")
    panel = add_youth_care_rate(panel)
    ordered = [*ID_COLUMNS, *sorted(c for c in panel.columns if c not in ID_COLUMNS)]
    panel = panel.select(ordered).sort("year", "level", "region_code")
    return panel, _provenance(panel)


def content_hash(frame: pl.DataFrame) -> str:
    """A hash of a frame's content (not of its file bytes, which depend on the Parquet writer)."""
    digest = hashlib.sha256(",".join(f"{k}:{v}" for k, v in frame.schema.items()).encode())
    digest.update(frame.write_csv().encode())
    return digest.hexdigest()


def _write_map(features: list[dict], out: Path) -> None:
    keep = [{"type": "Feature", "properties": {k: f["properties"][k] for k in ("wijkcode", "wijknaam",
             "gemeentecode", "gemeentenaam")}, "geometry": f["geometry"]} for f in features]
    text = json.dumps({"type": "FeatureCollection", "features": keep}, ensure_ascii=False,
                      separators=(",", ":"), sort_keys=True)
    with gzip.GzipFile(out, "wb", mtime=0) as fh:  # mtime=0: identical bytes on every rebuild
        fh.write(text.encode("utf-8"))


def write_embedded(shared: Path, out: Path = DATA_DIR) -> dict[str, str]:
    """Write the embedded data set; return the content hash of each file."""
    panel, provenance = build_panel(shared)
    out.mkdir(parents=True, exist_ok=True)
    panel.write_parquet(out / "panel.parquet", compression="zstd", statistics=False)
    provenance.write_parquet(out / "provenance.parquet", compression="zstd", statistics=False)
    _write_map(_map_features(shared / MAP_FILE), out / "wijken_2024.geojson.gz")
    return {"panel": content_hash(panel), "provenance": content_hash(provenance),
            "map": hashlib.sha256((out / "wijken_2024.geojson.gz").read_bytes()).hexdigest()}


def main(argv: list[str] | None = None) -> int:
    """Command-line entry: `python -m toolkit.sources.build SHARED_DATA_DIR`."""
    args = sys.argv[1:] if argv is None else argv
    shared = Path(args[0] if args else "../shared/data")
    for name, digest in write_embedded(shared).items():
        print(f"{name}: {digest}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

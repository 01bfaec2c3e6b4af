"""Build the embedded money data from ../shared/data/finance, deterministically.

Run as `python -m toolkit.finance.build ../shared/data` (part of `make data`). Writes, into
`toolkit/finance/data/`:
- gemeenten.parquet: CBS code, name, size and urbanity class and inhabitants (gemeenteklassen_2025.csv),
- iv3.parquet: youth-care and access lasten/baten in euros per gemeente (and NL00), year and taakveld,
- cluster.parquet: every maatstaf's share of the youth cluster per gemeente, circulaire and year.

Names are joined to CBS codes through the Gemeentefonds Volumina (`CBS` = numeric code); Iv3 and class
files that use CBS's disambiguated names ("'s-Gravenhage (gemeente)", "Beek (L.)") are mapped through
iv3_gemeentenamen.csv first. A name that still does not match is an error naming file and row.
"""

from __future__ import annotations

import sys
from pathlib import Path

import polars as pl

from ethics.errors import InputDataError, Problem
from toolkit.finance._read import MSG_BAD_FILE, read_table, to_numbers
from toolkit.finance._taakvelden import ACCESS, YOUTH_CODES, access_of, care_type_of
from toolkit.sources.build import content_hash

__all__ = ["DATA_DIR", "IV3_FILES", "CIRCULAIRES", "YOUTH_CLUSTER", "build_finance", "write_embedded", "main"]

DATA_DIR = Path(__file__).resolve().parent / "data"
FINANCE = "finance"
IV3_FILES = {2023: ("iv3/iv3_2023_jaarrekening_taakveld6.csv", "realisatie"),
             2024: ("iv3/iv3_2024_begroting_taakveld6.csv", "begroting"),
             2025: ("iv3/iv3_2025_begroting_taakveld6.csv", "begroting")}
CIRCULAIRES = (("M2023", 2024), ("M2024", 2025), ("S2024", 2025))
YOUTH_CLUSTER = "Individuele voorzieningen Jeugd"
NAMES_FILE = "iv3/iv3_gemeentenamen.csv"
CLASSES_FILE = "gemeenteklassen_2025.csv"
FACTOR_FILE = "gemeentefonds/Uitkeringsfactor.csv"
NL = "NL00"


def _name_map(finance: Path) -> dict[str, str]:
    names = read_table(finance / NAMES_FILE, ("Iv3naam", "GFnaam"))
    return dict(names.select("Iv3naam", "GFnaam").iter_rows())


def _volumina_path(finance: Path, circ: str, year: int, kind: str) -> Path:
    return finance / "gemeentefonds" / f"GF_{circ}_{year}_{kind}.csv"


def _codes(finance: Path) -> dict[str, str]:
    """Gemeentefonds name -> CBS code (GMgggg), from the latest Volumina file."""
    vol = read_table(_volumina_path(finance, *CIRCULAIRES[-1], "Volumina"), ("CBS", "Naam"))
    return {name: f"GM{int(code):04d}" for code, name in vol.select("CBS", "Naam").iter_rows()}


def _with_code(frame: pl.DataFrame, name_col: str, path: Path, names: dict[str, str],
               codes: dict[str, str]) -> pl.DataFrame:
    """Add `gemeente_code` from a name column ('Nederland' -> NL00); unmatched names are an error."""
    gf = pl.col(name_col).replace(names)
    frame = frame.with_columns(
        pl.when(pl.col(name_col) == "Nederland").then(pl.lit(NL)).otherwise(gf.replace_strict(codes, default=None))
        .alias("gemeente_code"))
    bad = frame.with_row_index("row").filter(pl.col("gemeente_code").is_null())
    if bad.height:
        problems = [Problem(str(path), int(r) + 1, name_col, "gemeente name matches no Gemeentefonds name "
                            f"(add it to {NAMES_FILE})") for r in bad["row"].head(20)]
        raise InputDataError(MSG_BAD_FILE.format(file=path, rule="unknown gemeente names"), problems)
    return frame


def read_classes(finance: Path, names: dict[str, str], codes: dict[str, str]) -> pl.DataFrame:
    """Per gemeente: code, name, size class, urbanity class, inhabitants."""
    path = finance / CLASSES_FILE
    cols = ("Gemeenten", "Gemeentegrootte", "Stedelijkheid", "Inwonertal")
    raw = to_numbers(read_table(path, cols), ["Inwonertal"], path)
    frame = _with_code(raw, "Gemeenten", path, names, codes)
    return frame.select("gemeente_code", pl.col("Gemeenten").replace(names).alias("gemeente_name"),
                        pl.col("Gemeentegrootte").alias("size_class"), pl.col("Stedelijkheid").alias("urbanity_class"),
                        pl.col("Inwonertal").cast(pl.Int64).alias("inhabitants")).sort("gemeente_code")


def read_iv3(finance: Path, year: int, names: dict[str, str], codes: dict[str, str]) -> pl.DataFrame:
    """Youth-care and access rows of one Iv3 file, in euros (the file is in thousands of euros)."""
    rel, basis = IV3_FILES[year]
    path = finance / rel
    raw = to_numbers(read_table(path, ("Gemeenten", "Taakveld", "Baten", "Lasten")), ["Baten", "Lasten"], path)
    raw = raw.with_columns(pl.col("Taakveld").str.extract(r"^(\d+\.\d+[a-z]?)", 1).alias("taakveld"))
    raw = raw.filter(pl.col("taakveld").is_in([*YOUTH_CODES, *ACCESS]))
    frame = _with_code(raw, "Gemeenten", path, names, codes)
    return frame.select(
        "gemeente_code", pl.lit(year, pl.Int32).alias("year"), pl.lit(basis).alias("basis"), "taakveld",
        pl.col("taakveld").map_elements(care_type_of, return_dtype=pl.String).alias("care_type"),
        pl.col("taakveld").map_elements(access_of, return_dtype=pl.String).alias("access"),
        (pl.col("Lasten") * 1000).alias("lasten_eur"), (pl.col("Baten") * 1000).alias("baten_eur"),
    ).sort("gemeente_code", "taakveld")


def read_factors(finance: Path) -> dict[tuple[str, int], float]:
    """Uitkeringsfactor per (circulaire, year)."""
    path = finance / FACTOR_FILE
    raw = to_numbers(read_table(path, ("Circulaire", "Jaar", "Uitkeringsfactor")), ["Jaar", "Uitkeringsfactor"], path)
    return {(c, int(y)): f for c, y, f in raw.select("Circulaire", "Jaar", "Uitkeringsfactor").iter_rows()}


def read_cluster(finance: Path, circ: str, year: int, factor: float, cluster: str = YOUTH_CLUSTER) -> pl.DataFrame:
    """Every coded maatstaf's amount in one cluster: weight x volume x uitkeringsfactor (WOZ rows x 1)."""
    wpath, vpath = _volumina_path(finance, circ, year, "Gewichten"), _volumina_path(finance, circ, year, "Volumina")
    w = read_table(wpath, ("Codering maatstaf", cluster))
    w = to_numbers(w, [cluster], wpath).filter(pl.col("Codering maatstaf").is_not_null(), pl.col(cluster) != 0)
    weights = dict(w.select("Codering maatstaf", cluster).iter_rows())
    vol = read_table(vpath, ("CBS", *weights))
    vol = to_numbers(vol, list(weights), vpath)
    long = vol.select(pl.format("GM{}", pl.col("CBS").str.zfill(4)).alias("gemeente_code"), *weights).unpivot(
        index="gemeente_code", variable_name="maatstaf", value_name="volume")
    mult = pl.when(pl.col("maatstaf").str.starts_with("WOZ")).then(1.0).otherwise(factor)
    return long.with_columns(
        pl.lit(circ).alias("circulaire"), pl.lit(year, pl.Int32).alias("year"),
        pl.col("maatstaf").replace_strict(weights, return_dtype=pl.Float64).alias("weight"),
        mult.alias("uitkeringsfactor"),
    ).with_columns((pl.col("weight") * pl.col("volume") * pl.col("uitkeringsfactor")).alias("amount_eur")).select(
        "gemeente_code", "circulaire", "year", "maatstaf", "weight", "volume", "uitkeringsfactor", "amount_eur"
    ).sort("gemeente_code", "maatstaf")


def build_finance(shared: Path) -> dict[str, pl.DataFrame]:
    """The three embedded tables from the raw files (see the module docstring)."""
    finance = Path(shared) / FINANCE
    names, codes = _name_map(finance), _codes(finance)
    factors = read_factors(finance)
    clusters = []
    for circ, year in CIRCULAIRES:
        if (circ, year) not in factors:
            raise InputDataError(MSG_BAD_FILE.format(file=finance / FACTOR_FILE,
                                                     rule=f"it has no uitkeringsfactor for {circ} {year}"))
        clusters.append(read_cluster(finance, circ, year, factors[(circ, year)]))
    return {
        "gemeenten": read_classes(finance, names, codes),
        "iv3": pl.concat([read_iv3(finance, y, names, codes) for y in IV3_FILES]),
        "cluster": pl.concat(clusters),
    }


def write_embedded(shared: Path, out: Path = DATA_DIR) -> dict[str, str]:
    """Write the embedded money tables; return the content hash of each."""
    out.mkdir(parents=True, exist_ok=True)
    hashes = {}
    for name, frame in build_finance(shared).items():
        frame.write_parquet(out / f"{name}.parquet", compression="zstd", statistics=False)
        hashes[name] = content_hash(frame)
    return hashes


def main(argv: list[str] | None = None) -> int:
    """Command-line entry: `python -m toolkit.finance.build SHARED_DATA_DIR`."""
    args = sys.argv[1:] if argv is None else argv
    for name, digest in write_embedded(Path(args[0] if args else "../shared/data")).items():
        print(f"finance/{name}: {digest}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

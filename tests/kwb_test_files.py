"""TEST FIXTURES for user KWB files: written in the tests from the embedded (real) 2022 CBS rows.

A "KWB 2023" file made here is the embedded 2022 figures relabelled as 2023: a test fixture for the merge
machinery, not CBS data of 2023 (which the package does not hold). The youth-care count is written as
the KWB column a_jz_tn (jongeren met jeugdzorg in natura), which is what CBS publishes there.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from toolkit.sources._kwb_columns import NAME_TO_ODATA, NAME_TO_SHORT

__all__ = ["SHARED_DATA", "kwb_rows", "short_code_frame", "odata_frame", "write"]

SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"  # ../shared/data of the repository

ID_SHORT = {"region_code": "gwb_code_10", "region_name": "regio", "gemeente_name": "gm_naam"}
VALUES = ("population", "pop_0_14", "pop_15_24", "pop_25_44", "households", "avg_household_size",
          "pct_rental", "pct_social_rental", "woz_avg_x1000eur", "urbanity_class")


def kwb_rows(panel: pl.DataFrame, gemeenten: tuple[str, ...] = ("GM0518",),
             source_year: int = 2022) -> pl.DataFrame:
    """The embedded rows (gemeente and its wijken) of `source_year` for `gemeenten`."""
    return panel.filter(pl.col("year") == source_year, pl.col("gemeente_code").is_in(list(gemeenten)),
                        pl.col("level").is_in(["wijk", "gemeente"])).sort("region_code")


def _text(expr: pl.Expr) -> pl.Expr:
    return expr.cast(pl.String)


def short_code_frame(rows: pl.DataFrame, year: int | None = 2023) -> pl.DataFrame:
    """A CBS short-code KWB frame (all text, codes padded as CBS pads them), with a `year` column."""
    cols = [_text(pl.col(c).str.pad_end(10) if c == "region_code" else pl.col(c)).alias(s)
            for c, s in ID_SHORT.items()]
    cols += [_text(pl.col(c)).alias(NAME_TO_SHORT[c]) for c in VALUES]
    cols.append(_text(pl.col("youth_care_clients")).alias("a_jz_tn"))
    frame = rows.select(cols)
    return frame if year is None else frame.with_columns(pl.lit(str(year)).alias("year"))


def odata_frame(rows: pl.DataFrame, year: int | None = 2023, suffix_shift: int = 0) -> pl.DataFrame:
    """The same rows under OData keys, as cbsodata returns them; `suffix_shift` renumbers the keys (another
    KWB year has other position numbers, e.g. JongerenMetJeugdzorgInNatura_91)."""
    def key(name: str) -> str:
        stem, _, num = NAME_TO_ODATA[name].rpartition("_")
        return f"{stem}_{int(num) + suffix_shift}"

    cols = [_text(pl.col("region_name")).alias("WijkenEnBuurten"),
            _text(pl.col("gemeente_name")).alias("Gemeentenaam_1"),
            _text(pl.col("region_code").str.pad_end(10)).alias("Codering_3")]
    cols += [_text(pl.col(c)).alias(key(c)) for c in VALUES]
    cols.append(_text(pl.col("youth_care_clients")).alias(key("youth_care_clients_kwb")))
    frame = rows.select(cols)
    return frame if year is None else frame.with_columns(pl.lit(str(year)).alias("year"))


def write(frame: pl.DataFrame, path: Path, separator: str = ",", encoding: str = "utf-8") -> Path:
    """Write a text frame as CSV (nulls as empty cells) in the given encoding."""
    text = frame.write_csv(separator=separator)
    path.write_bytes(text.encode(encoding))
    return path

"""`wijksignaal data info` (what the embedded CBS snapshot holds) and `data refresh` (a live KWB download)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from toolkit.cli._common import guarded

__all__ = ["app", "info", "refresh"]

MSG_NO_CBSODATA = "data refresh needs the cbsodata package: pip install 'wijksignaal[live]'."
app = typer.Typer(help="The embedded CBS data.", no_args_is_help=True)


@app.command("info")
def info(
    gemeenten: Annotated[bool, typer.Option("--gemeenten", help="List the gemeente codes and names.")] = False,
) -> None:
    """Print the data dictionary, years and levels, provenance and the youth-care rate bridge."""
    with guarded():
        import polars as pl

        from toolkit.sources import load_panel, load_provenance
        from toolkit.sources._kwb_columns import odata_stem
        from toolkit.sources.bridge import bridge_check, bridge_diagnostic
        from toolkit.sources.dictionary import BY_NAME
        from toolkit.sources.embedded import LICENCE, PANEL_PATH, file_sha256

        panel = load_panel()
        if gemeenten:
            latest = panel.filter(pl.col("level") == "gemeente")["year"].max()
            rows = panel.filter(pl.col("level") == "gemeente", pl.col("year") == latest).sort("region_code")
            for code, name in rows.select("region_code", "region_name").iter_rows():
                typer.echo(f"{code}  {name}")
            return
        typer.echo(f"Embedded CBS snapshot: {PANEL_PATH.name} sha256 {file_sha256(PANEL_PATH)[:16]}...  ({LICENCE})")
        counts = panel.group_by("year", "level").len().sort("year", "level")
        typer.echo("Rows per year and level: " + ", ".join(f"{y} {lv} {n}" for y, lv, n in counts.iter_rows()))
        d = bridge_diagnostic(panel)
        methods = panel.filter(pl.col("youth_care_rate_method").is_not_null(), pl.col("level") != "land").group_by(
            "year").agg(pl.col("youth_care_rate_method").unique().sort().str.join("+")).sort("year")
        typer.echo("Youth-care rate (youth_care_rate_pct, % of youths under 23 with youth care in natura), method "
                   "per year: " + ", ".join(f"{y} {m}" for y, m in methods.iter_rows()) + ". kwb_pct = CBS's own "
                   "KWB percentage; count_bridge = CBS count / (pop_0_14 + 0.8 * pop_15_24). 2023: no data.")
        typer.echo(f"  Bridge check, 2021 bridged / 2020 KWB over {int(d['n_wijken'])} wijken (one year apart): "
                   f"median {d['median_ratio']:.3f} (p10 {d['p10_ratio']:.3f}, p90 {d['p90_ratio']:.3f}).")
        c = bridge_check(panel)
        for level, plural in (("wijk", "wijken"), ("gemeente", "gemeenten")):
            r = c[level]
            if r["n"]:
                typer.echo(f"  Bridge check on 2024 (count and CBS percentage, same {level} and year), bridged / "
                           f"CBS over {int(r['n'])} {plural}: median {r['median_ratio']:.3f} "
                           f"(p10 {r['p10_ratio']:.3f}, p90 {r['p90_ratio']:.3f}).")
        if c["w"]["n"]:
            typer.echo(f"  Share of the 15-24 band under 23 implied by 2024 (median over {int(c['w']['n'])} "
                       f"gemeenten): {c['w']['median']:.3f} (p10 {c['w']['p10']:.3f}, p90 {c['w']['p90']:.3f}); "
                       "the bridge uses 0.8.")
        typer.echo("\nColumns (name | unit | label | CBS short code / OData name | years with values):")
        prov = load_provenance().group_by("column").agg(pl.col("year").sort().cast(pl.String).str.join(","))
        years = dict(prov.iter_rows())
        for col in panel.columns:
            v = BY_NAME.get(col)
            unit, label, code = (v.unit, v.label_en, v.kwb or "-") if v else ("", "", "-")
            odata = odata_stem(v.odata) if v and v.odata else "-"
            typer.echo(f"  {col} | {unit} | {label} | {code} / {odata} | {years.get(col, '')}")


@app.command("refresh")
def refresh(
    out: Annotated[Path, typer.Option(help="The KWB file to write (CSV, UTF-8), for `run --indicators`.")],
    table: Annotated[str, typer.Option(help="CBS KWB table id (85984NED = KWB 2024, already embedded: "
                                            "run --indicators wants a newer one).")] = "85984NED",
    gemeente: Annotated[list[str] | None, typer.Option("--gemeente", help="CBS gemeente code (repeatable). "
                                                        "Default: GM0518.")] = None,
    year: Annotated[int | None, typer.Option(help="The table's year (default: its map year).")] = None,
) -> None:
    """Download a KWB table from CBS (needs a network and the `cbsodata` package) into a KWB file.

    Nothing here is needed for a run: the CBS snapshot is embedded. The file is validated before it is
    written; pass it to `wijksignaal run --indicators FILE`.
    """
    with guarded():
        from ethics.errors import ConfigError
        from toolkit.sources.live import refresh as refresh_file

        try:
            import cbsodata  # noqa: F401
        except ImportError:
            raise ConfigError(MSG_NO_CBSODATA) from None
        codes = [g.strip().upper() for g in gemeente or ["GM0518"]]
        path = refresh_file(table, codes, out, year)
        typer.echo(f"Wrote {path} (CBS table {table}, {', '.join(codes)}). Use it with: "
                   f"wijksignaal run --indicators {path}")

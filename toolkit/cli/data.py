"""`wijksignaal data info`: what the embedded CBS snapshot holds, its dictionary and provenance."""

from __future__ import annotations

from typing import Annotated

import typer

from toolkit.cli._common import guarded

__all__ = ["app", "info"]

app = typer.Typer(help="The embedded CBS data.", no_args_is_help=True)


@app.command("info")
def info(
    gemeenten: Annotated[bool, typer.Option("--gemeenten", help="List the gemeente codes and names.")] = False,
) -> None:
    """Print the data dictionary, years and levels, provenance and the youth-care rate bridge."""
    with guarded():
        import polars as pl

        from toolkit.sources import load_panel, load_provenance
        from toolkit.sources.bridge import bridge_diagnostic
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
        typer.echo("Youth-care rate (youth_care_rate_pct, % of youths under 23): KWB percentage for 2018-2020 "
                   "(method kwb_pct); counts / (pop_0_14 + 0.8 * pop_15_24) for 2021-2022 (method count_bridge).")
        typer.echo(f"  Bridge check, 2021 bridged / 2020 KWB over {int(d['n_wijken'])} wijken: median "
                   f"{d['median_ratio']:.3f} (p10 {d['p10_ratio']:.3f}, p90 {d['p90_ratio']:.3f}).")
        typer.echo("\nColumns (name | unit | label | CBS code | years with values):")
        prov = load_provenance().group_by("column").agg(pl.col("year").sort().cast(pl.String).str.join(","))
        years = dict(prov.iter_rows())
        for col in panel.columns:
            v = BY_NAME.get(col)
            unit, label, code = (v.unit, v.label_en, v.kwb or "-") if v else ("", "", "-")
            typer.echo(f"  {col} | {unit} | {label} | {code} | {years.get(col, '')}")

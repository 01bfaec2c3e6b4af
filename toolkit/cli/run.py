"""`wijksignaal run`: the main job."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from toolkit.cli._common import guarded

__all__ = ["run"]


def run(
    gemeente: Annotated[list[str] | None, typer.Option("--gemeente", help="CBS gemeente code (repeatable). "
                                                        "Default: GM0518 ('s-Gravenhage).")] = None,
    all_: Annotated[bool, typer.Option("--all", help="Every gemeente of the latest year.")] = False,
    records: Annotated[Path | None, typer.Option(help="Municipal youth-care records (personal data).")] = None,
    demo_records: Annotated[bool, typer.Option("--demo-records",
                                               help="Use a clearly labelled SYNTHETIC register.")] = False,
    config: Annotated[Path | None, typer.Option(help="Run config TOML (default configs/run.toml).")] = None,
    policy: Annotated[Path | None, typer.Option(help="Ethics policy TOML (default configs/ethics.toml).")] = None,
    out: Annotated[Path, typer.Option(help="Output directory.")] = Path("wijksignaal-out"),
    ledger: Annotated[Path | None, typer.Option(help="Privacy-budget ledger (SQLite).")] = None,
    lang: Annotated[str, typer.Option(help="Report language: nl or en.")] = "nl",
    indicators: Annotated[Path | None, typer.Option(help="A newer CBS KWB download to merge.")] = None,
    scenario: Annotated[Path | None, typer.Option(help="Scenario TOML: prices, indexation, rates.")] = None,
    as_of: Annotated[int | None, typer.Option("--as-of", help="Forecast as if YEAR were the latest year.")] = None,
    years: Annotated[str | None, typer.Option("--years", help="Years of the records to release, e.g. 2018-2022: "
                                              "the register's declared span up to the reference year.")] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress and no summary (for scripts); "
                                        "errors are still reported and the exit code says how it ended.")] = False,
    domain: Annotated[list[str] | None, typer.Option("--domain", help="Care domain: jeugd (default) or wmo; "
                                                     "repeatable (one run, one audit).")] = None,
) -> None:
    """Build wijk profiles, 5-year forecasts and the audit for one or more gemeenten.

    Progress (the stages, per gemeente) goes to standard error: a live display on a terminal, plain lines
    otherwise. --out must be a new or empty folder, or one an earlier run wrote (it carries wijksignaal's
    marker); any other folder, a file or a symbolic link is refused (exit 2) before any work starts.
    """
    with guarded():
        from ethics.egress import check_out_dir
        from ethics.errors import ConfigError
        from toolkit.progress import choose_mode, reporting

        if records is not None and demo_records:
            raise ConfigError("Use either --records or --demo-records, not both.")
        if all_ and gemeente:
            raise ConfigError("Use either --all or --gemeente, not both.")
        check_out_dir(out)  # refuse a folder we may not replace before spending minutes (and budget) on it
        with reporting(choose_mode(quiet)) as show:
            show.stage("loading wijksignaal")
            from ethics.policy import load_policy
            from toolkit.config import load_run_config
            from toolkit.pipeline import run as run_pipeline

            cfg = load_run_config(config, gemeenten=tuple(gemeente or ()), all_gemeenten=all_ or None, lang=lang,
                                  as_of=as_of, indicators=indicators, records=records,
                                  demo_records=demo_records or None, scenario=scenario, ledger=ledger,
                                  records_years=years)
            result = run_pipeline(cfg, load_policy(policy), out, domain=tuple(domain or ["jeugd"]))
        if quiet:
            return
        typer.echo(f"Done: {result.n_wijken} wijken in {result.n_gemeenten} gemeente(n) -> {result.out_dir}")
        for f in result.files:
            typer.echo(f"  {f.name}")

"""The audit.json document of a run: inputs with sha256, config and policy with sha256, egress, versions."""

from __future__ import annotations

import json
import platform
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

from ethics.egress import CheckResult, Table
from ethics.policy import Policy
from toolkit.config import RunConfig
from toolkit.sources.embedded import LICENCE, PANEL_PATH, file_sha256

__all__ = ["build_audit", "complete_audit", "disclosure_section", "package_versions", "records_used",
           "PACKAGES"]

PACKAGES = ("wijksignaal", "polars", "pyarrow", "pandera", "scikit-learn", "diffprivlib", "fairlearn", "shap",
            "typer", "numpy")


def package_versions() -> dict[str, str]:
    """Installed versions of wijksignaal and its declared stack."""
    out = {"python": platform.python_version()}
    for name in PACKAGES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "not installed"
    return out


def _input(path: Path, kind: str, licence: str | None = None) -> dict[str, Any]:
    entry: dict[str, Any] = {"kind": kind, "path": str(path), "sha256": file_sha256(path)}
    if licence:
        entry["licence"] = licence
    return entry


def build_audit(config: RunConfig, policy: Policy, checks: list[CheckResult],
                sections: dict[str, Any]) -> dict[str, Any]:
    """The audit document; `sections` holds what later stages add (privacy, model, fairness, ...)."""
    inputs = [_input(PANEL_PATH, "open indicators: embedded CBS snapshot", LICENCE)]
    if config.indicators is not None:
        inputs.append(_input(config.indicators, "open indicators: user KWB file"))
    if config.records is not None:
        inputs.append(_input(config.records, "municipal youth-care records (personal data)"))
    return {
        "generated_at": datetime.now(UTC).replace(microsecond=0).isoformat(),
        "inputs": inputs,
        "config": {"path": config.source, "sha256": config.sha256, "gemeenten": list(config.gemeenten)
                   if not config.all_gemeenten else "all", "as_of": config.as_of, "lang": config.lang},
        "policy": {"path": policy.source, "sha256": policy.sha256, "preset": policy.preset},
        "egress": [{"table": c.table, "check": c.check, "outcome": c.outcome, **c.detail} for c in checks],
        **sections,
        "versions": package_versions(),
    }


def records_used(audit: dict[str, Any]) -> bool:
    """True when the run read municipal (or SYNTHETIC demo) records through the privacy gate."""
    privacy = audit.get("privacy") or {}
    return bool(privacy.get("records_used") or privacy.get("records"))


def forecast_ratio(audit: dict[str, Any]) -> float | None:
    """The forecast's MAE divided by that of carrying the last value forward, from the backtest: horizon 1 for
    youth care (`mae_ratio_model_to_last_value_h1`), the domain's own check otherwise (Wmo: 2021 -> 2024,
    `mae_ratio_model_to_last_value`, horizon in `mae_ratio_horizon`). None without a backtest."""
    bt = (audit.get("forecast") or {}).get("backtest") or {}
    ratio = bt.get("mae_ratio_model_to_last_value_h1")
    return bt.get("mae_ratio_model_to_last_value") if ratio is None else ratio


def disclosure_section(tables: list[Table], policy: Policy) -> dict[str, Any]:
    """Cells withheld per output table and why (status), with the rules that withheld them."""
    per = {}
    for t in tables:
        if "status" in t.frame.columns:
            counts = t.frame["status"].value_counts(sort=True)
            per[t.name] = {"rows": t.frame.height, "withheld_columns": list(t.withheld),
                           **{str(r["status"]): int(r["count"]) for r in counts.iter_rows(named=True)}}
    d = policy.disclosure
    return {"rules": {"min_youth_population": d.min_youth_population, "rounding_base": d.rounding_base,
                      "secret_max": d.secret_max, "min_released_count": d.min_released_count},
            "why": {"too_small": "fewer youths (0-22) than min_youth_population: the wijk is not shown apart",
                    "secret": "CBS or the privacy gate withheld the count (true value 0..secret_max, or "
                              "no value published); shown as withheld, never as 0"},
            "tables": per}


def _model_section(audit: dict[str, Any], policy: Policy) -> dict[str, Any]:
    """The model card gathered from the stages' own sections (kept there in full)."""
    forecast, profiles = audit.get("forecast", {}), audit.get("profiles", {})
    return {"excluded_features": sorted(policy.excluded_features),
            "proxy_strength": profiles.get("proxy"), "risk_index": profiles.get("risk_index"),
            "priority_rule": profiles.get("priority", {}).get("rule"),
            "excluded_reason": "proxies of migration background: never a model feature, only a fairness "
                               "grouping",
            "profile": profiles.get("model", profiles),
            "forecast_method": forecast.get("method"), "backtest": forecast.get("backtest", {}),
            "scenario": forecast.get("scenario"), "price": forecast.get("price"),
            "limitations": ["CBS counts are rounded to multiples of 5 and 0-7 are secret: small wijken are "
                            "noisy",
                            "the youth-care rate changed definition between 2020 and 2021 (bridged)",
                            "wijk boundaries change; 2024 map codes may differ from the 2022 data",
                            "forecasts assume current policy and prices; scenarios show other assumptions"]}


def complete_audit(audit: dict[str, Any], *, tables: list[Table], policy: Policy, fairness: dict[str, Any],
                   gemeente_name: str) -> dict[str, Any]:
    """Add fairness, register draft, IAMA/DPIA crosswalk and human oversight; ensure disclosure and model."""
    from toolkit.reports.crosswalk import build_crosswalk
    from toolkit.reports.register import build_register, human_oversight
    from toolkit.reports.verdict import build_verdict

    out = {k: v for k, v in audit.items() if k != "versions"}
    out.setdefault("privacy", {"records_used": False,
                               "note": "no personal records in this run: no privacy budget spent"})
    out.setdefault("disclosure", disclosure_section(tables, policy))
    out.setdefault("model", _model_section(audit, policy))
    out["fairness"] = fairness
    out["register"] = build_register({**out, "versions": audit.get("versions", {})}, gemeente_name)
    out["iama_dpia_crosswalk"] = build_crosswalk(out)
    out["human_oversight"] = human_oversight()
    out["versions"] = audit.get("versions", package_versions())
    verdict = build_verdict(out)
    return {"generated_at": out.pop("generated_at", ""), "verdict": verdict, **out}


def to_json(audit: dict[str, Any]) -> str:
    """Stable, readable JSON."""
    return json.dumps(audit, indent=2, ensure_ascii=False, sort_keys=False, default=str) + "\n"

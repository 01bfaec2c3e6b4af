"""audit_report.html for the ethical officer: verdicts on top, then every section of audit.json explained.

Render only (ethics.egress writes). Sections: summary, data inventory, privacy, disclosure, egress checks,
model card, fairness (tables and charts), Algoritmeregister draft, IAMA/DPIA crosswalk, human oversight,
reproducibility.
"""

from __future__ import annotations

from typing import Any

import polars as pl

from toolkit.reports._render import render
from toolkit.reports.charts import ci_bars
from toolkit.reports.i18n import fmt_num, translator

__all__ = ["render_audit_report", "summary"]

_PCT_METRICS = ("selection_rate", "selection_rate_youth", "withheld_share")


def _fair_status(audit: dict[str, Any]) -> tuple[str, dict[str, int]]:
    fair = audit.get("fairness", {})
    return fair.get("verdict", "pass"), fair.get("counts", {})


def summary(audit: dict[str, Any], lang: str) -> list[dict[str, str]]:
    """One line per area with a verdict word (pass / flag / fail / info) and a sentence."""
    t = translator(lang)
    verdict, counts = _fair_status(audit)
    bt = audit.get("forecast", {}).get("backtest", {})
    ratio = bt.get("mae_ratio_model_to_last_value_h1")
    privacy = audit.get("privacy") or {}
    withheld = sum(
        v
        for tab in audit.get("disclosure", {}).get("tables", {}).values()
        for k, v in tab.items()
        if k in ("secret", "too_small")
    )
    walk = [c["status"] for c in audit.get("iama_dpia_crosswalk", [])]
    confirm = sum(f["source"] == "to_confirm" for f in audit.get("register", {}).get("fields", []))
    rows = [
        (
            "privacy",
            "pass" if privacy.get("records_used") else "info",
            t(
                "sum.privacy_used",
                eps=privacy.get("epsilon_spent", "?"),
                total=privacy.get("epsilon_total", "?"),
            )
            if privacy.get("records_used")
            else t("sum.privacy_none"),
        ),
        ("disclosure", "pass", t("sum.disclosure", n=withheld)),
        ("egress", "pass", t("sum.egress", n=len(audit.get("egress", [])))),
        (
            "model",
            "info" if ratio is None else "pass" if ratio < 1 else "flag",
            t("sum.model", r=fmt_num(ratio, 2, lang)) if ratio is not None else t("sum.model_none"),
        ),
        (
            "fairness",
            verdict,
            t("sum.fairness", p=counts.get("pass", 0), f=counts.get("flag", 0), x=counts.get("fail", 0)),
        ),
        ("register", "info", t("sum.register", n=confirm)),
        (
            "crosswalk",
            "info",
            t("sum.crosswalk", a=walk.count("answered"), p=walk.count("partly"), o=walk.count("open")),
        ),
    ]
    return [{"area": a, "verdict": v, "text": text} for a, v, text in rows]


def _fairness_blocks(table: pl.DataFrame, audit: dict[str, Any], lang: str) -> list[dict[str, Any]]:
    t = translator(lang)
    overall = audit.get("fairness", {}).get("overall", {})
    blocks = []
    for metric in table["metric"].unique(maintain_order=True).to_list():
        rows = table.filter(pl.col("metric") == metric)
        scale = 100.0 if metric in _PCT_METRICS else 1.0
        digits = 0 if metric in _PCT_METRICS else 2

        def fmt(v: float, scale: float = scale, digits: int = digits) -> str:
            return fmt_num(v * scale, digits, lang) + ("%" if scale == 100 else "")

        ref = overall.get(metric, {})
        reference = ref.get("size_class", next(iter(ref.values()), 0.0))
        bars = [
            (
                f"{t('short.' + r['grouping'])}: {t('group.' + r['group'])}",
                r["value"],
                r["ci_low"],
                r["ci_high"],
                r["verdict"],
            )
            for r in rows.iter_rows(named=True)
        ]
        blocks.append(
            {
                "metric": metric,
                "title": t("metric." + metric),
                "overall": ref,
                "chart": ci_bars(
                    bars, reference, t("metric." + metric), t("fair.chart_desc"), fmt, t("fair.all")
                ),
                "rows": [
                    {**r, "fmt_value": fmt(r["value"]), "fmt_ci": f"{fmt(r['ci_low'])} - {fmt(r['ci_high'])}"}
                    for r in rows.iter_rows(named=True)
                ],
                "fmt_overall": {g: fmt(v) for g, v in ref.items()},
            }
        )
    return blocks


def render_audit_report(
    audit: dict[str, Any],
    fairness: pl.DataFrame,
    backtest: pl.DataFrame,
    lang: str,
    provenance: pl.DataFrame | None = None,
    scope_name: str = "",
) -> str:
    """The whole audit report page."""
    sources = []
    if provenance is not None and not provenance.is_empty():
        sources = (
            provenance.group_by("source")
            .agg(pl.col("year").unique().sort(), pl.col("column").n_unique())
            .sort("source")
            .to_dicts()
        )
    return render(
        "audit_report.html.j2",
        lang,
        audit=audit,
        summary=summary(audit, lang),
        fairness=_fairness_blocks(fairness, audit, lang),
        backtest=backtest.to_dicts(),
        scope_name=scope_name,
        sources=sources,
        generated_at=audit.get("generated_at", ""),
        version=audit.get("versions", {}).get("wijksignaal", ""),
    )

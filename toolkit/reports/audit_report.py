"""audit_report.html for the ethical officer: verdicts on top, then every section of audit.json explained.

Render only (ethics.egress writes). Sections: summary, data inventory, privacy, disclosure, egress checks,
model card, fairness (tables and charts), Algoritmeregister draft, IAMA/DPIA crosswalk, human oversight,
reproducibility.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import polars as pl

from toolkit.reports._render import render
from toolkit.reports.audit import records_used
from toolkit.reports.charts import ci_bars
from toolkit.reports.i18n import fmt_num, translator

__all__ = ["render_audit_report", "summary"]

_PCT_METRICS = ("selection_rate", "selection_rate_youth", "withheld_share")


MODEL_PASS_RATIO = 0.95  # the model must beat carrying the last value forward by at least 5% at horizon 1


def _fairness_line(audit: dict[str, Any], t: Any) -> tuple[str, str]:
    fair = audit.get("fairness", {})
    counts = fair.get("counts", {})
    text = t("sum.fairness", p=counts.get("pass", 0), f=counts.get("flag", 0), x=counts.get("fail", 0))
    if counts.get("fail"):
        blocking = set(fair.get("limits", {}).get("blocking_metrics", []))
        n = sum(r["verdict"] == "fail" and r["metric"] in blocking for r in fair.get("not_pass", []))
        text += " " + t("sum.blocking", n=n)
    worst = sorted(fair.get("not_pass", []), key=lambda r: r["verdict"] != "fail")[:3]
    if worst:
        items = [f"{t('verdict.' + r['verdict'])}: {t('metric.' + r['metric'])} "
                 f"({t('short.' + r['grouping'])}: {t('group.' + r['group'])})" for r in worst]
        text += " " + "; ".join(items) + "."
    expected = {"forecast_mae", "model_mae", "selection_rate", "selection_given_need", "withheld_share"}
    missing = sorted(expected - set(fair.get("metrics", [])))
    if missing:
        text += " " + t("sum.not_measured", metrics=", ".join(t("metric." + m) for m in missing))
    return fair.get("verdict", "pass"), text


def _model_line(audit: dict[str, Any], t: Any, lang: str) -> tuple[str, str]:
    ratio = audit.get("forecast", {}).get("backtest", {}).get("mae_ratio_model_to_last_value_h1")
    if ratio is None:
        return "info", t("sum.model_none")
    verdict = "pass" if ratio < MODEL_PASS_RATIO else "flag"
    text = t("sum.model", r=fmt_num(ratio, 2, lang))
    return verdict, text if verdict == "pass" else f"{text} {t('sum.model_weak')}"


def _privacy_line(audit: dict[str, Any], t: Any) -> tuple[str, str]:
    if not records_used(audit):
        return "info", t("sum.privacy_none")
    privacy = audit["privacy"]
    after = privacy.get("ledger", {}).get("after", [])
    remaining = min((Fraction(s["remaining"]) for s in after), default=None)
    return "pass", t("sum.privacy_used", eps=privacy.get("epsilon_per_release", "?"),
                     total=privacy.get("total_epsilon_per_dataset_and_year", "?"),
                     remaining="?" if remaining is None else str(remaining),
                     synthetic=t("sum.synthetic") if privacy.get("synthetic") else "")


def summary(audit: dict[str, Any], lang: str) -> list[dict[str, str]]:
    """One line per area with a verdict word (pass / flag / fail / info) and a sentence."""
    t = translator(lang)
    tables = audit.get("disclosure", {}).get("tables", {}).values()
    withheld = sum(v for tab in tables for k, v in tab.items() if k in ("secret", "too_small"))
    walk = [c["status"] for c in audit.get("iama_dpia_crosswalk", [])]
    confirm = sum(f["source"] == "to_confirm" for f in audit.get("register", {}).get("fields", []))
    rows = [("privacy", *_privacy_line(audit, t)),
            ("disclosure", "pass", t("sum.disclosure", n=withheld)),
            ("egress", "pass", t("sum.egress", n=len(audit.get("egress", [])))),
            ("model", *_model_line(audit, t, lang)),
            ("fairness", *_fairness_line(audit, t)),
            ("register", "info", t("sum.register", n=confirm)),
            ("crosswalk", "info", t("sum.crosswalk", a=walk.count("answered"), p=walk.count("partly"),
                                    o=walk.count("open")))]
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
        records_used=records_used(audit),
        sources=sources,
        generated_at=audit.get("generated_at", ""),
        version=audit.get("versions", {}).get("wijksignaal", ""),
    )

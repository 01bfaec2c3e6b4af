"""audit_report.html for the ethical officer: verdicts on top, then every section of audit.json explained.

Render only (ethics.egress writes). Sections: summary, data inventory, privacy, disclosure, egress checks,
model card, fairness (tables and charts), Algoritmeregister draft, IAMA/DPIA crosswalk, human oversight,
reproducibility.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import polars as pl

from toolkit.reports._audit_views import (
    basename,
    egress_rows,
    fmt_frac,
    input_rows,
    model_view,
    privacy_view,
    source_label,
)
from toolkit.reports._render import render
from toolkit.reports.audit import forecast_ratio, records_used
from toolkit.reports.charts import ci_bars
from toolkit.reports.i18n import fmt_num, translator
from toolkit.reports.verdict import MODEL_PASS_RATIO

__all__ = ["render_audit_report", "summary"]

_PCT_METRICS = ("selection_rate", "selection_rate_youth", "selection_rate_population", "withheld_share")




def _fairness_line(audit: dict[str, Any], t: Any) -> tuple[str, str]:
    """The summary row of fairness, in line with the policy in force: a fail only blocks under on_fail = block,
    so under `flag` the row says 'aandacht' (the run went on) and names the groups beyond the fail limit."""
    fair = audit.get("fairness", {})
    counts, on_fail = fair.get("counts", {}), fair.get("limits", {}).get("on_fail", "flag")
    text = t("sum.fairness", p=counts.get("pass", 0), f=counts.get("flag", 0), x=counts.get("fail", 0))
    if counts.get("fail"):
        text += " " + t("sum.policy_block" if on_fail == "block" else "sum.policy_flag")
    worst = sorted(fair.get("not_pass", []), key=lambda r: r["verdict"] != "fail")[:3]
    if worst:
        items = [f"{t('verdict.' + r['verdict'])}: {t('metric.' + r['metric'])} "
                 f"({t('short.' + r['grouping'])}: {t('group.' + r['group'])})" for r in worst]
        text += " " + "; ".join(items) + "."
    expected = {"forecast_mae", "model_mae", "selection_rate", "selection_given_need", "withheld_share"}
    missing = sorted(expected - set(fair.get("metrics", [])))
    if missing:
        text += " " + t("sum.not_measured", metrics=", ".join(t("metric." + m) for m in missing))
    verdict = fair.get("verdict", "pass")
    return ("flag" if verdict == "fail" and on_fail != "block" else verdict), text


def _model_line(audit: dict[str, Any], t: Any, lang: str) -> tuple[str, str]:
    ratio = forecast_ratio(audit)
    if ratio is None:
        return "info", t("sum.model_none")
    verdict = "pass" if ratio < MODEL_PASS_RATIO else "flag"
    text = t("sum.model", r=fmt_num(ratio, 2, lang))
    return verdict, text if verdict == "pass" else f"{text} {t('sum.model_weak')}"


def _privacy_line(audit: dict[str, Any], t: Any, lang: str) -> tuple[str, str]:
    if not records_used(audit):
        return "info", t("sum.privacy_none")
    privacy = audit["privacy"]
    after = privacy.get("ledger", {}).get("after", [])
    remaining = min((Fraction(s["remaining"]) for s in after), default=None)
    return "pass", t("sum.privacy_used", eps=fmt_frac(privacy.get("epsilon_per_release", "?"), lang),
                     total=fmt_frac(privacy.get("total_epsilon_per_dataset_and_year", "?"), lang),
                     remaining="?" if remaining is None else fmt_frac(remaining, lang),
                     synthetic=t("sum.synthetic") if privacy.get("synthetic") else "")


def summary(audit: dict[str, Any], lang: str) -> list[dict[str, str]]:
    """One line per area with a verdict word (pass / flag / fail / info) and a sentence."""
    t = translator(lang)
    tables = audit.get("disclosure", {}).get("tables", {}).values()
    withheld = sum(v for tab in tables for k, v in tab.items() if k in ("secret", "too_small"))
    walk = [c["status"] for c in audit.get("iama_dpia_crosswalk", [])]
    confirm = sum(f["source"] == "to_confirm" for f in audit.get("register", {}).get("fields", []))
    rows = [("privacy", *_privacy_line(audit, t, lang)),
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


_RANK = {"pass": 0, "flag": 1, "fail": 2}


def _backtest_rows(backtest: pl.DataFrame) -> list[dict[str, Any]]:
    """The backtest over all origins together (one row per level, model and horizon), wijk level first."""
    if "origin" in backtest.columns:
        backtest = backtest.filter(pl.col("origin").cast(pl.String) == "all")
    if "level" in backtest.columns:
        backtest = backtest.sort(pl.col("level") != "wijk", "level", maintain_order=True)
    return backtest.to_dicts()


def fairness_matrix(table: pl.DataFrame, t: Any) -> dict[str, Any]:
    """Metric x grouping on one screen: the worst verdict over the groups of each cell and how many groups
    had it; empty cells where a metric was not measured for a grouping."""
    groupings = table["grouping"].unique(maintain_order=True).to_list() if table.height else []
    rows = []
    for metric in (table["metric"].unique(maintain_order=True).to_list() if table.height else []):
        cells = []
        for grouping in groupings:
            part = table.filter(pl.col("metric") == metric, pl.col("grouping") == grouping)
            verdicts = part["verdict"].to_list()
            worst = max(verdicts, key=lambda v: _RANK.get(v, 0)) if verdicts else None
            cells.append({"verdict": worst, "n": verdicts.count(worst) if worst else 0, "of": len(verdicts)})
        rows.append({"metric": metric, "title": t("metric." + metric), "cells": cells})
    return {"groupings": [{"key": g, "title": t("short." + g)} for g in groupings], "rows": rows}


def findings(audit: dict[str, Any], lang: str, limit: int = 3) -> list[str]:
    """The few groups that deviate most, in words: fail before flag, then by distance from all wijken."""
    t = translator(lang)
    fair = audit.get("fairness", {})
    overall = fair.get("overall", {})

    def gap(r: dict[str, Any]) -> float:
        ref = overall.get(r["metric"], {}).get(r["grouping"]) or 0.0
        return abs((r.get("value") or 0.0) - ref) / (abs(ref) or 1.0)

    rows = sorted(fair.get("not_pass", []), key=lambda r: (-_RANK.get(r["verdict"], 0), -gap(r)))[:limit]
    out = []
    for r in rows:
        scale = 100.0 if r["metric"] in _PCT_METRICS else 1.0
        unit, digits = ("%", 0) if scale == 100 else ("", 2)
        ref = overall.get(r["metric"], {}).get(r["grouping"])
        out.append(t("fair.finding", verdict=t("verdict." + r["verdict"]), metric=t("metric." + r["metric"]).lower(),
                     group=t("group." + r["group"]), grouping=t("short." + r["grouping"]),
                     value=fmt_num((r.get("value") or 0) * scale, digits, lang) + unit,
                     ref=fmt_num((ref or 0) * scale, digits, lang) + unit))
    return out


def render_audit_report(
    audit: dict[str, Any],
    fairness: pl.DataFrame,
    backtest: pl.DataFrame,
    lang: str,
    provenance: pl.DataFrame | None = None,
    scope_name: str = "",
) -> str:
    """The whole audit report page."""
    t = translator(lang)
    sources = []
    if provenance is not None and not provenance.is_empty():
        sources = (
            provenance.group_by("source")
            .agg(pl.col("year").unique().sort(), pl.col("column").n_unique())
            .sort("source")
            .to_dicts()
        )
        sources = [{**s, "source": source_label(s["source"], lang)} for s in sources]
    used = records_used(audit)
    return render(
        "audit_report.html.j2",
        lang,
        audit=audit,
        summary=summary(audit, lang),
        verdict=audit.get("verdict") or {},
        fairness=_fairness_blocks(fairness, audit, lang),
        matrix=fairness_matrix(fairness, t),
        findings=findings(audit, lang),
        privacy=privacy_view(audit, t, lang) if used else None,
        model=model_view(audit, t, lang),
        egress=egress_rows(audit, t),
        inputs=input_rows(audit, t),
        basename=basename,
        backtest=_backtest_rows(backtest),
        scope_name=scope_name,
        records_used=used,
        synthetic=bool((audit.get("privacy") or {}).get("synthetic")),
        sources=sources,
        generated_at=audit.get("generated_at", ""),
        version=audit.get("versions", {}).get("wijksignaal", ""),
    )

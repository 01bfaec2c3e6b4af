"""Plain-language views of audit.json for the audit page: privacy, model card and egress checks.

audit.json keeps the technical record (in English, with exact fractions); the page says in the reader's
language what was protected, how, and what the numbers mean, and puts the numbers in tables with local
labels and number formats. No file path of the machine ever reaches the page.
"""

from __future__ import annotations

import math
import re
from fractions import Fraction
from typing import Any

from toolkit.reports.i18n import fmt_eur, fmt_num

__all__ = ["fmt_frac", "privacy_view", "model_view", "egress_rows", "basename", "input_rows"]

_EGRESS = {"region keys are": "keys", "no forbidden column": "columns", "no identifier-like": "values",
           "withheld cells are empty": "status", "no status column": "no_status",
           "released counts follow": "disclosure", "derived from records only": "gate"}


def basename(path: Any) -> str:
    """The file name only (never the machine's folders)."""
    return re.split(r"[\\/]", str(path or ""))[-1]


def fmt_frac(value: Any, lang: str) -> str:
    """An exact fraction ('3/10') or number as a short decimal the local way: 0,3 (nl) or 0.3 (en)."""
    try:
        number = float(Fraction(str(value)))
    except (ValueError, ZeroDivisionError):
        return str(value)
    digits = 0 if number == int(number) else 3
    text = fmt_num(number, digits, lang)
    return text.rstrip("0").rstrip(",.") if digits else text


def _accuracy(privacy: dict[str, Any], measure: str, level: str) -> float | None:
    for row in privacy.get("accuracy", []):
        if row.get("measure") == measure and row.get("level") == level:
            return row.get("median_accuracy_95")
    return None


def privacy_view(audit: dict[str, Any], t: Any, lang: str) -> dict[str, Any]:
    """Sentences and tables of the privacy section (only called when records were used)."""
    p = audit.get("privacy") or {}
    eps = p.get("epsilon_per_release", "1")
    after = (p.get("ledger") or {}).get("after", [])
    remaining = min((Fraction(s["remaining"]) for s in after), default=None)
    earlier = max((s.get("earlier_runs_on_same_children", 0) for s in after), default=0)
    bounds = p.get("contribution_bounds", {})
    clip = bounds.get("cost_clip_eur", [0, None])[-1]
    sentences = [
        t("priv.unit"),
        t("priv.guarantee", eps=fmt_frac(eps, lang), factor=fmt_num(math.exp(float(Fraction(str(eps)))), 1, lang)),
        t("priv.budget", total=fmt_frac(p.get("total_epsilon_per_dataset_and_year", "?"), lang),
          spent=fmt_frac(eps, lang), earlier=earlier,
          remaining="?" if remaining is None else fmt_frac(remaining, lang)),
        t("priv.bounds", wijken=bounds.get("wijken_per_child_per_year", "?"),
          traj=bounds.get("max_trajectories_per_child", "?"), types=bounds.get("max_care_types_per_child", "?"),
          clip=fmt_eur(clip, lang)),
    ]
    clients, cost = _accuracy(p, "clients", "wijk"), _accuracy(p, "cost_eur", "wijk")
    if clients is not None:
        sentences.append(t("priv.acc_clients", n=fmt_num(clients, 0, lang)))
    if cost is not None:
        gm = _accuracy(p, "cost_eur", "gemeente")
        sentences.append(t("priv.acc_cost", wijk=fmt_eur(cost, lang), gemeente=fmt_eur(gm, lang)))
    measures = [{"label": t("measure." + m["measure"]) if ("measure." + m["measure"]) in _keys() else m["measure"],
                 "epsilon": fmt_frac(m.get("epsilon"), lang), "gemeente": fmt_frac(m.get("epsilon_gemeente_total",
                                                                                        "0"), lang),
                 "sensitivity": fmt_num(m.get("sensitivity"), 0, lang)} for m in p.get("measures", [])]
    cells = p.get("cells", {})
    return {"sentences": sentences, "measures": measures, "cells": cells, "synthetic": bool(p.get("synthetic")),
            "years": ", ".join(str(y) for y in p.get("reference_years", []))}


def _keys() -> set[str]:
    from toolkit.reports.i18n import texts

    return set(texts())


def _ratio_pct(ratio: float | None) -> int | None:
    return None if ratio is None else round((1 - ratio) * 100)


def model_view(audit: dict[str, Any], t: Any, lang: str) -> dict[str, Any]:
    """Sentences of the model card and the risk-index weights, in plain words."""
    model, forecast = audit.get("model") or {}, audit.get("forecast") or {}
    profile = model.get("profile") or {}
    val = ((profile.get("validation") or {}).get("model") or {}).get("wijken_min_youth") or {}
    train = profile.get("training") or {}
    proxy = model.get("proxy_strength") or {}
    out: dict[str, Any] = {"excluded": t("model.excluded_text"), "profile": "", "proxy": "", "priority": "",
                           "forecast": t("model.forecast_text"), "accuracy": "", "weights": [], "price": ""}
    if val:
        out["profile"] = t("model.profile_text", wijken=fmt_num(train.get("wijken"), 0, lang),
                           gemeenten=fmt_num(train.get("gemeenten"), 0, lang),
                           r2=fmt_num((val.get("r2") or 0) * 100, 0, lang), mae=fmt_num(val.get("mae"), 1, lang))
    if proxy.get("available"):
        out["proxy"] = t("model.proxy_text", pct=fmt_num((proxy.get("proxy_strength_r2") or 0) * 100, 0, lang),
                         band=t("band." + str(proxy.get("band"))) if "band." + str(proxy.get("band")) in _keys()
                         else str(proxy.get("band")))
    rule = re.search(r"top (\d+)%.*at least (\d+)", str(model.get("priority_rule") or ""))
    if rule:
        out["priority"] = t("model.priority_text", share=rule.group(1), n=rule.group(2))
    weights = (model.get("risk_index") or {}).get("weights", {})
    out["weights"] = [{"label": t("riskgroup." + k), "pct": fmt_num(v * 100, 0, lang) + "%"}
                      for k, v in weights.items()]
    bt = forecast.get("backtest") or {}
    h1 = next((r for r in bt.get("table", []) if r.get("model") == "model" and r.get("horizon") == 1), None)
    if h1:
        pct = _ratio_pct(bt.get("mae_ratio_model_to_last_value_h1"))
        out["accuracy"] = t("model.accuracy_text", mae=fmt_num(h1.get("mae"), 1, lang),
                            cov=fmt_num((bt.get("coverage_80_model") or 0) * 100, 0, lang),
                            pct=fmt_num(abs(pct or 0), 0, lang),
                            cmp=t("model.better" if (pct or 0) > 0 else "model.worse"))
    price = forecast.get("price") or model.get("price") or {}
    if price.get("eur_per_client_year"):
        source = t("model.price_records") if "privacy gate" in str(price.get("source", "")) else t("model.price_config")
        out["price"] = t("model.price_text", eur=fmt_eur(price["eur_per_client_year"], lang),
                         year=price.get("price_year", ""), source=source,
                         sd=fmt_num((price.get("relative_sd") or 0) * 100, 1, lang))
    return out


def egress_rows(audit: dict[str, Any], t: Any) -> list[dict[str, Any]]:
    """One row per output file: which checks ran (in words) and the outcome (every written file passed)."""
    per: dict[str, dict[str, Any]] = {}
    for c in audit.get("egress", []):
        key = next((v for k, v in _EGRESS.items() if str(c.get("check", "")).startswith(k)), None)
        row = per.setdefault(c["table"], {"table": c["table"], "checks": [], "outcome": "pass"})
        row["checks"].append(t("egress." + key) if key else str(c.get("check")))
        if c.get("outcome") != "pass":
            row["outcome"] = c.get("outcome")
    return list(per.values())


_KINDS = {"open indicators: embedded": "inv.embedded", "open indicators: user": "inv.user_kwb",
          "municipal ": "inv.records"}  # the register of the run's domain (its words: inv.records of the domain)


def input_rows(audit: dict[str, Any], t: Any) -> list[dict[str, str]]:
    """The inputs with their checksums, in words; the register too (a SYNTHETIC demo register has no file)."""
    rows = []
    for i in audit.get("inputs", []):
        key = next((v for k, v in _KINDS.items() if str(i.get("kind", "")).startswith(k)), None)
        rows.append({"kind": t(key) if key else str(i.get("kind")), "file": basename(i.get("path")),
                     "sha256": i.get("sha256", ""), "licence": i.get("licence", "")})
    privacy = audit.get("privacy") or {}
    if privacy.get("synthetic"):
        rows.append({"kind": t("inv.demo_register"), "file": str(privacy.get("dataset_id", "")),
                     "sha256": t("inv.no_file"), "licence": ""})
    return rows


_SOURCE_NL = (("salvaged, only values flagged ok", "hersteld; alleen waarden die het CBS als in orde markeerde"),
              ("(provisional)", "(voorlopig)"),
              ("NL and gemeente rows of 2022 completed from the gemeente table",
               "rijen van Nederland en de gemeenten over 2022 aangevuld uit de gemeentetabel"),
              ("derived: see toolkit/sources/bridge.py (definition changes between 2020 and 2021)",
               "afgeleid: overbrugging van de nieuwe definitie tussen 2020 en 2021"),
              ("ages derived from rounded percentages", "leeftijden afgeleid uit afgeronde percentages"),
              ("OData keys matched on their name", "OData-sleutels gekoppeld op hun naam"),
              ("NL00 row: sum over the gemeente rows (KWB 2024 has no NL row)",
               "rij voor Nederland: som van de gemeenten (KWB 2024 heeft geen rij voor Nederland)"),
              ("pop_nonwestern_migration 2024 = herkomst buiten Europa (BuitenEuropa, total), CBS's successor of "
               "niet-westers", "niet-westerse migratieachtergrond 2024 = herkomst buiten Europa (de opvolger bij "
               "het CBS)"),
              ("derived", "afgeleid"), ("rounded", "afgerond"), ("provisional", "voorlopig"),
              ("completed from", "aangevuld uit"), ("and", "en"))


def source_label(source: str, lang: str) -> str:
    """A provenance source name in the page's language (the names are English in the data)."""
    if lang != "nl":
        return source
    for en, nl in _SOURCE_NL:
        source = re.sub(rf"\b{re.escape(en)}" + (r"\b" if en[-1].isalnum() else ""), nl, source)
    return source

"""The "profiles" section of audit.json: the expected-rate model card, proxy strength, types, weights."""

from __future__ import annotations

from typing import Any

import polars as pl

from ethics.policy import Policy
from toolkit.profiles._catalogue import SIGNAL_BY_NAME, SIGNALS
from toolkit.profiles._config import ProfileConfig
from toolkit.profiles._national import EXCLUDED_REASON, NationalFit, model_features
from toolkit.profiles._priority import EXCESS_COLUMN, EXCESS_REASON, RISK_WEIGHTS, TOP_MIN_PERCENTILE
from toolkit.profiles._signals import years_used
from toolkit.profiles._typology import TYPOLOGY_SIGNALS

__all__ = ["LATEST_KNOWN_RULE", "RATE_EXPLANATIONS", "profile_audit", "rate_sentences"]

# One sentence per rate, for the wijk cards and the model card ("vergeleken met Nederland / de rest van de gemeente").
RATE_LABELS = {"expected_rate": ("Verwacht vergeleken met Nederland", "Expected compared with the Netherlands"),
               "expected_rate_gemeente": ("Verwacht vergeleken met de rest van de gemeente",
                                          "Expected compared with the rest of the gemeente")}
RATE_EXPLANATIONS = {
    "expected_rate": {
        "nl": "wat wijken met dit profiel gemiddeld in heel Nederland hebben, zonder het beleid van de eigen "
              "gemeente",
        "en": "what wijken with this profile have on average across the Netherlands, leaving the gemeente's own "
              "policy out"},
    "expected_rate_gemeente": {
        "nl": "hetzelfde, aangevuld met het eigen niveau van de gemeente, geschat uit haar andere wijken",
        "en": "the same, plus the gemeente's own level, estimated from its other wijken"},
}

LATEST_KNOWN_RULE = ("per wijk and feature the value of the latest year up to the reference year that has "
                     "one (KWB 2022 has no income, benefits or education: 2021 or earlier is used)")


def rate_sentences(row: dict[str, Any], lang: str) -> list[str]:
    """For a wijk card: both expected rates of a profiles.csv row, each with its one-sentence explanation.

    >>> rate_sentences({"expected_rate": 9.84, "expected_rate_gemeente": 11.2}, "nl")[0][:44]
    'Verwacht vergeleken met Nederland: 9,8% (wat'
    """
    i = 0 if lang == "nl" else 1
    out = []
    for column, label in RATE_LABELS.items():
        value = row.get(column)
        if value is None:
            continue
        text = f"{value:.1f}".replace(".", ",") if i == 0 else f"{value:.1f}"
        out.append(f"{label[i]}: {text}% ({RATE_EXPLANATIONS[column][lang]}).")
    return out


def _model(fit: NationalFit, values: pl.DataFrame, proxy: dict[str, Any], policy: Policy) -> dict[str, Any]:
    used = years_used(values)
    features = [{"name": f, "group": SIGNAL_BY_NAME[f].group, "direction": SIGNAL_BY_NAME[f].direction,
                 "label_en": SIGNAL_BY_NAME[f].label_en, "years_used": used[f]} for f in fit.features]
    return {
        "target": "youth_care_rate_pct of the reference year: youths with youth care per 100 youths 0-22 (what "
                  "both expected rates are scored against; the training target is under 'training')",
        "features": features,
        "latest_known_rule": LATEST_KNOWN_RULE,
        "excluded_features": [{"name": n, "reason": EXCLUDED_REASON}
                              for n in sorted(policy.excluded_features)],
        "signals_dropped_by_policy": [s.name for s in SIGNALS if s.name not in model_features(policy)],
        **fit.audit,
        "rate_explanations": {c: {lang: f"{RATE_LABELS[c][i]}: {RATE_EXPLANATIONS[c][lang]}."
                                  for i, lang in enumerate(("nl", "en"))} for c in RATE_LABELS},
        "proxy_strength_r2": proxy.get("proxy_strength_r2"),
    }


def profile_audit(fit: NationalFit, values: pl.DataFrame, types: list[dict[str, Any]], proxy: dict[str, Any],
                  cfg: ProfileConfig, policy: Policy, reference_year: int) -> dict[str, Any]:
    """The section, from the national fit, the reference-year signals, the type definitions and the proxy."""
    share = f"{cfg.priority_share:.0%}"
    return {
        "reference_year": reference_year,
        "model": _model(fit, values, proxy, policy),
        "proxy": proxy,
        "typology": {"method": f"k-means (k={cfg.n_types}, random_state={cfg.random_state}, n_init=10) on "
                               "national percentiles of all Dutch wijken",
                     "signals": list(TYPOLOGY_SIGNALS), "types": types},
        "risk_index": {"scale": "0-100, weighted mean of national need percentiles", "weights": RISK_WEIGHTS},
        "top_signals": {"n": cfg.top_signals, "min_need_percentile": TOP_MIN_PERCENTILE},
        "priority": {"rule": f"per gemeente the ok wijken ranked in the top {share} by risk index (at least "
                             f"{cfg.priority_min}); too_small and secret wijken are never ranked",
                     "excess_reason_points": EXCESS_REASON, "excess": cfg.priority_excess,
                     "excess_column": EXCESS_COLUMN[cfg.priority_excess]},
    }

"""Wijk types, the "colour" of a wijk: k-means on the national percentiles of a few key signals.

The types are fitted on all Dutch wijken of the latest year (so a wijk has the same type whichever gemeenten
are in scope) with a fixed `random_state`, so they are identical run to run. Each type is named after its
dominant signals: the two (or, when two types would share a name, three) signals whose centre lies furthest
from the national median, each said as a high or low phrase ("Veel sociale huur, lage inkomens"). Types
are numbered T1.. from the most to the least need (mean need percentile of the centre). A wijk gets the
type of the nearest centre (`Typology.assign`); wijken with fewer than half of the key signals known get no
type (null): missing stays missing. A missing key signal counts as the national median.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import polars as pl

from toolkit.profiles._catalogue import SIGNAL_BY_NAME

__all__ = ["TYPOLOGY_SIGNALS", "Typology", "fit_typology"]

TYPOLOGY_SIGNALS = ("pct_persons_lowest40_income", "bijstand_per_1000", "pct_hh_with_children",
                    "pct_hh_single_person", "pct_social_rental", "woz_avg_x1000eur", "pct_education_low",
                    "address_density_km2", "pct_age_65_plus")


@dataclass(frozen=True)
class Typology:
    """The fitted types: centres (ordered T1..), names (nl, en) and the definitions for the audit."""

    model: Any  # fitted sklearn KMeans
    order: tuple[int, ...]  # k-means cluster -> position in T1..
    names: tuple[tuple[str, str], ...]
    definitions: list[dict[str, Any]]

    def assign(self, pct: pl.DataFrame) -> pl.DataFrame:
        """region_code, typology_id, typology_nl, typology_en of the wijken in `pct` (null: no data)."""
        known, X = _matrix(pct)
        pick: list[int | None] = [None] * len(X)
        if known.any():
            labels = self.model.predict(X[known])
            for i, lab in zip(np.flatnonzero(known), labels, strict=True):
                pick[i] = self.order.index(int(lab))
        ids = [None if k is None else f"T{k + 1}" for k in pick]
        nl = [None if k is None else self.names[k][0] for k in pick]
        en = [None if k is None else self.names[k][1] for k in pick]
        return pct.select("region_code").with_columns(
            pl.Series("typology_id", ids, dtype=pl.String), pl.Series("typology_nl", nl, dtype=pl.String),
            pl.Series("typology_en", en, dtype=pl.String))


def _matrix(pct: pl.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    raw = pct.select([pl.col(s + "__nat") for s in TYPOLOGY_SIGNALS]).to_numpy().astype(float)
    known = np.isfinite(raw).sum(axis=1) * 2 >= len(TYPOLOGY_SIGNALS)
    return known, np.where(np.isfinite(raw), raw, 50.0)


def _phrase(signal: str, centre: float, lang: int) -> str:
    s = SIGNAL_BY_NAME[signal]
    return (s.high if centre >= 50 else s.low)[lang]


def _name(centre: np.ndarray, n_terms: int, lang: int) -> str:
    order = np.argsort(-np.abs(centre - 50), kind="stable")[:n_terms]
    text = ", ".join(_phrase(TYPOLOGY_SIGNALS[i], centre[i], lang) for i in order)
    return text[:1].upper() + text[1:]


def _names(centres: np.ndarray) -> list[tuple[str, str]]:
    names = [(_name(c, 2, 0), _name(c, 2, 1)) for c in centres]
    for i, c in enumerate(centres):
        if sum(n == names[i] for n in names) > 1:
            names[i] = (_name(c, 3, 0), _name(c, 3, 1))
    seen: dict[tuple[str, str], int] = {}
    for i, n in enumerate(names):  # still equal after three terms: number them (rare)
        seen[n] = seen.get(n, 0) + 1
        if seen[n] > 1:
            names[i] = (f"{n[0]} ({seen[n]})", f"{n[1]} ({seen[n]})")
    return names


def _need(centre: np.ndarray) -> float:
    parts = [c if SIGNAL_BY_NAME[s].direction > 0 else 100 - c
             for s, c in zip(TYPOLOGY_SIGNALS, centre, strict=True) if SIGNAL_BY_NAME[s].direction]
    return float(np.mean(parts))


def fit_typology(pct: pl.DataFrame, n_types: int, random_state: int) -> Typology:
    """Types from the national percentiles (`<signal>__nat` columns of `percentiles()`) of all wijken."""
    from sklearn.cluster import KMeans

    from toolkit.profiles._expected import single_thread

    known, X = _matrix(pct)
    with single_thread():
        km = KMeans(n_clusters=n_types, n_init=10, random_state=random_state).fit(X[known])
    order = tuple(sorted(range(n_types), key=lambda k: -_need(km.cluster_centers_[k])))
    centres = km.cluster_centers_[list(order)]
    names = tuple(_names(centres))
    sizes = np.bincount([order.index(int(lab)) for lab in km.labels_], minlength=n_types)
    definitions = [{"id": f"T{k + 1}", "name_nl": names[k][0], "name_en": names[k][1],
                    "n_wijken": int(sizes[k]),
                    "mean_need_percentile": round(_need(centres[k]), 1),
                    "centre_percentiles": {s: round(float(v), 1) for s, v in zip(TYPOLOGY_SIGNALS, centres[k],
                                                                                  strict=True)}}
                   for k in range(n_types)]
    return Typology(model=km, order=order, names=names, definitions=definitions)

"""Contribution bounding and true aggregates of the gate (private: the values here are not yet noisy).

Per reference year a child is one privacy unit. Bounds, applied per child and year:
- wijk: the wijk of the child's trajectory active on the reference date (latest start first); without one,
  the wijk of its latest-starting trajectory in the year. Empty wijk_code: the node "not in a wijk".
- trajectories: the `max_trajectories_per_child` earliest-starting ones count.
- care types and providers: at most `max_care_types_per_child` / `max_providers_per_child`, those that start
  first; a dropped provider's euros are dropped with it.
- cost: a trajectory's cost is shared over the years it runs by days; the child's yearly total is clipped
  to `cost_clip_eur` (each trajectory scaled by the same factor); sums are rounded to whole euros.
An ongoing trajectory (empty end_date) runs to 31 December of the last year in the file. The work is done on
sorted numpy arrays (one sort by child and year, then segment sums), so ten million rows take seconds.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import polars as pl

from ethics._records_schema import CARE_TYPES
from ethics.policy import PrivacyPolicy

__all__ = ["UNASSIGNED", "UNKNOWN_PROVIDER", "Truth", "Encoded", "record_years", "encode", "aggregate"]

UNASSIGNED = "<not in a wijk>"
UNKNOWN_PROVIDER = "onbekend"
_EPOCH = np.datetime64("1970-01-01", "D")


@dataclass(frozen=True)
class Truth:
    """True bounded aggregates: `nodes` (node, year, care_type, measure, true), `providers`, and the client
    ids per year (for the ledger's sketch only)."""

    nodes: pl.DataFrame
    providers: pl.DataFrame
    clients: dict[int, pl.Series]


def record_years(records: pl.DataFrame) -> tuple[list[int], date]:
    """The calendar years the records span (first start to last date) and the last date."""
    last = max(d for d in (records["start_date"].max(), records["end_date"].max()) if d is not None)
    first = records["start_date"].min()
    return list(range(first.year, last.year + 1)), last  # type: ignore[union-attr]


def _day(year: np.ndarray, month: int = 1, day: int = 1) -> np.ndarray:
    """Days since 1970 of month-day in each year."""
    first = (year.astype("int64") - 1970).astype("datetime64[Y]").astype("datetime64[M]")
    return ((first + (month - 1)).astype("datetime64[D]") + (day - 1) - _EPOCH).astype(np.int64)


@dataclass
class Encoded:
    """The records as compact numeric arrays (strings encoded), so the text frame can be freed."""

    cols: dict[str, np.ndarray]
    providers: list[str]
    ids: pl.Series
    years: list[int]


def encode(records: pl.DataFrame, wijk_keys: list[str]) -> Encoded:
    """Encode care types, wijken (unknown/empty: the 'not in a wijk' node) and providers as integers."""
    years, last = record_years(records)
    providers = sorted(records["provider"].fill_null(UNKNOWN_PROVIDER).unique().to_list())
    end = pl.coalesce(pl.col("end_date"), pl.lit(date(last.year, 12, 31)))
    cols = records.select(
        cid=pl.col("client_id").hash(20240),
        type=pl.col("care_type").cast(pl.Enum(CARE_TYPES)).to_physical().cast(pl.Int8),
        node=pl.col("wijk_code")
        .cast(pl.Enum(wijk_keys))
        .to_physical()
        .cast(pl.Int32)
        .fill_null(len(wijk_keys)),
        prov=pl.col("provider")
        .fill_null(UNKNOWN_PROVIDER)
        .cast(pl.Enum(providers))
        .to_physical()
        .cast(pl.Int32),
        start=pl.col("start_date").cast(pl.Int32),
        end=end.cast(pl.Int32),
        y0=pl.col("start_date").dt.year().cast(pl.Int16),
        y1=end.dt.year().cast(pl.Int16),
        cost=pl.col("cost_eur").fill_null(0.0),
        row=pl.int_range(pl.len(), dtype=pl.Int32),
    )
    arrays = {c: cols.drop_in_place(c).to_numpy() for c in list(cols.columns)}
    return Encoded(arrays, providers, records["client_id"], years)


def _per_year(a: dict[str, np.ndarray], years: list[int]) -> dict[str, np.ndarray]:
    """One entry per trajectory and year it runs in; cost shared by days (most rows span one year)."""
    reps = a["y1"].astype(np.int64) - a["y0"] + 1
    if (reps == 1).all():
        out = dict(a, year=a["y0"].astype(np.int64))
    else:
        idx = np.repeat(np.arange(len(reps)), reps)
        out = {k: v[idx] for k, v in a.items()}
        out["year"] = (
            out["y0"].astype(np.int64) + np.arange(len(idx)) - np.repeat(np.cumsum(reps) - reps, reps)
        )
        lo = np.maximum(out["start"].astype(np.int64), _day(out["year"]))
        hi = np.minimum(out["end"].astype(np.int64), _day(out["year"], 12, 31))
        out["cost"] = out["cost"] * (hi - lo + 1) / (out["end"].astype(np.int64) - out["start"] + 1)
    wanted = np.zeros(max(years) - min(years) + 1, dtype=bool)
    wanted[np.array(years) - min(years)] = True
    offset = out["year"] - min(years)
    keep = (offset >= 0) & (offset < len(wanted))
    keep[keep] = wanted[offset[keep]]
    return out if keep.all() else {k: v[keep] for k, v in out.items()}


def _first_k(group: np.ndarray, start: np.ndarray, tiebreak: np.ndarray, limit: int) -> np.ndarray:
    """Mask of the `limit` earliest entries within each group (groups need not be contiguous)."""
    order = np.lexsort((tiebreak, start, group))
    g = group[order]
    first = np.r_[0, np.flatnonzero(g[1:] != g[:-1]) + 1]
    rank = np.arange(len(g)) - np.repeat(first, np.diff(np.r_[first, len(g)]))
    keep = np.zeros(len(g), dtype=bool)
    keep[order] = rank < limit
    return keep


def _bound_types(r: dict[str, np.ndarray], child: np.ndarray, n_children: int, limit: int) -> np.ndarray:
    """Per child, a bit mask of the (at most `limit`) care types it counts in."""
    mask = (
        np.bitwise_or.reduceat(np.left_shift(1, r["type"]), r["seg"]) if len(child) else np.zeros(0, np.int64)
    )
    popcount = sum((mask >> t) & 1 for t in range(len(CARE_TYPES)))
    over = np.flatnonzero(popcount > limit)
    if len(over):
        rows = np.flatnonzero(np.isin(child, over))
        pair = child[rows] * 8 + r["type"][rows]
        uniq, inv = np.unique(pair, return_inverse=True)
        first = np.full(len(uniq), np.iinfo(np.int64).max)
        np.minimum.at(first, inv, r["start"][rows])
        keep = _first_k(uniq // 8, first, uniq % 8, limit)
        mask[over] = 0
        np.bitwise_or.at(mask, uniq[keep] // 8, np.left_shift(1, uniq[keep] % 8))
    return mask


def _sorted_by_child(
    r: dict[str, np.ndarray], years: list[int], privacy: PrivacyPolicy
) -> dict[str, np.ndarray]:
    """Sort by child and year; add segment starts (`seg`), the child index per row and the reference key.

    Consumes `r` (its arrays are released as they are copied into the sorted frame)."""
    year0 = min(years)
    yidx = (r.pop("year") - year0).astype(np.int16)
    month, day = (int(x) for x in privacy.reference_date.split("-"))
    ref = _day(np.arange(year0, max(years) + 1), month, day)[yidx]
    start, end = r["start"].astype(np.int64), r.pop("end")
    active = ((start <= ref) & (end >= ref)).astype(np.int64)
    del ref, end
    since = start - (start.min() if len(yidx) else 0)
    combo = (((active << 24) | since) << 16) | r.pop("node")
    del active, since, start
    key = (r.pop("cid") & np.uint64(~0xFF & (2**64 - 1))) | yidx.astype(np.uint64)
    frame = pl.DataFrame({"key": key, "yidx": yidx, "combo": combo})
    del key, yidx, combo
    for name in ("type", "prov", "start", "cost", "row"):
        frame = frame.with_columns(pl.Series(name, r.pop(name)))
    frame = frame.with_columns(year=pl.col("yidx").cast(pl.Int64) + year0).sort("key")  # polars: every core
    out = {c: frame.drop_in_place(c).to_numpy() for c in list(frame.columns)}
    key = out.pop("key")
    out["yidx"] = out["yidx"].astype(np.int64)
    for name in ("type", "prov", "start", "row"):
        out[name] = out[name].astype(np.int64)
    out["seg"] = np.flatnonzero(np.r_[True, key[1:] != key[:-1]]) if len(key) else np.zeros(0, np.int64)
    out["child"] = np.repeat(np.arange(len(out["seg"])), np.diff(np.r_[out["seg"], len(key)]))
    return out


def _pairs(child: np.ndarray, code: np.ndarray, width: int) -> tuple[np.ndarray, np.ndarray]:
    """Distinct (child, code) pairs as child * width + code, and the pair index of each row."""
    pair = child * width + code
    order = pl.Series(pair).arg_sort().to_numpy()
    flags = np.r_[True, pair[order][1:] != pair[order][:-1]] if len(pair) else np.zeros(0, bool)
    inverse = np.empty(len(pair), dtype=np.int64)
    inverse[order] = np.cumsum(flags) - 1
    return pair[order][flags], inverse


def _providers(r: dict, factor: np.ndarray, n_years: int, n_prov: int, limit: int) -> tuple[np.ndarray, ...]:
    uniq, inv = _pairs(r["child"], r["prov"], n_prov)
    child, prov = uniq // n_prov, uniq % n_prov
    keep = np.ones(len(uniq), dtype=bool)
    over = np.flatnonzero((np.bincount(child, minlength=len(factor)) > limit)[child])
    if len(over):
        first = np.full(len(uniq), np.iinfo(np.int64).max)
        np.minimum.at(first, inv, r["start"])
        keep[over] = _first_k(child[over], first[over], prov[over], limit)
    yidx_child = r["yidx"][r["seg"]]
    clients = np.bincount(yidx_child[child] * n_prov + prov, weights=keep, minlength=n_years * n_prov)
    cost = np.bincount(
        r["yidx"] * n_prov + r["prov"],
        weights=r["cost"] * factor[r["child"]] * keep[inv],
        minlength=n_years * n_prov,
    )
    return clients, cost


def aggregate(enc: Encoded, years: list[int], privacy: PrivacyPolicy, wijk_keys: list[str]) -> Truth:
    """Bound every child's contribution and count per node x year x care type, and per provider."""
    per_year = _per_year(enc.cols, years)
    enc.cols.clear()
    r = _sorted_by_child(per_year, years, privacy)
    del per_year
    seg, child = r["seg"], r["child"]
    n_rows, n_years, n_nodes, k = len(child), max(years) - min(years) + 1, len(wijk_keys) + 1, 4
    n_traj = np.diff(np.r_[seg, n_rows])
    kept = np.ones(n_rows, dtype=bool)
    rows_over = np.flatnonzero((n_traj > privacy.max_trajectories_per_child)[child])
    kept[rows_over] = _first_k(
        child[rows_over], r["start"][rows_over], r["row"][rows_over], privacy.max_trajectories_per_child
    )
    n_capped = np.minimum(n_traj, privacy.max_trajectories_per_child)
    node = (np.maximum.reduceat(r["combo"], seg) & 0xFFFF) if n_rows else np.zeros(0, np.int64)
    cost_child = np.add.reduceat(r["cost"], seg) if n_rows else np.zeros(0)
    lo, hi = privacy.cost_clip_eur
    factor = np.where(
        cost_child > 0, np.clip(cost_child, lo, hi) / np.where(cost_child > 0, cost_child, 1), 1.0
    )
    cell = node * n_years + r["yidx"][seg]
    size = n_nodes * n_years
    mask = _bound_types(r, child, len(seg), privacy.max_care_types_per_child)
    cell_row = cell[child] * k + r["type"]
    measures = {
        "clients": np.bincount(cell, minlength=size)[:, None],
        "stepped_care_clients": np.bincount(cell, weights=n_capped >= 3, minlength=size)[:, None],
        "clients_by_care_type": np.stack(
            [np.bincount(cell, weights=(mask >> t) & 1, minlength=size) for t in range(k)], axis=1
        ),
        "trajectories": np.bincount(cell_row, weights=kept, minlength=size * k).reshape(size, k),
        "cost_eur": np.bincount(cell_row, weights=r["cost"] * factor[child], minlength=size * k).reshape(
            size, k
        ),
    }
    prov_clients, prov_cost = _providers(
        r, factor, n_years, len(enc.providers), privacy.max_providers_per_child
    )
    clients = _client_ids(enc.ids, r, years)
    return Truth(
        nodes=_node_frame(measures, [*wijk_keys, UNASSIGNED], years),
        providers=_provider_frame(prov_clients, prov_cost, enc.providers, years),
        clients=clients,
    )


def _client_ids(ids: pl.Series, r: dict, years: list[int]) -> dict[int, pl.Series]:
    first_rows = r["row"][r["seg"]]
    year_of = r["year"][r["seg"]]
    return {y: ids.gather(first_rows[year_of == y]) for y in years}


def _node_frame(measures: dict[str, np.ndarray], nodes: list[str], years: list[int]) -> pl.DataFrame:
    span = list(range(min(years), max(years) + 1))
    parts = []
    for name, values in measures.items():
        types = ["all"] if values.shape[1] == 1 else list(CARE_TYPES)
        grid = pl.DataFrame({"node": np.repeat(nodes, len(span)), "year": np.tile(span, len(nodes))})
        for t, care_type in enumerate(types):
            parts.append(
                grid.with_columns(
                    care_type=pl.lit(care_type),
                    measure=pl.lit(name),
                    true=pl.Series(values[:, t]).round(0).cast(pl.Int64),
                )
            )
    frame = pl.concat(parts)
    return frame.filter(pl.col("year").is_in(years)).with_columns(pl.col("year").cast(pl.Int32))


def _provider_frame(
    clients: np.ndarray, cost: np.ndarray, providers: list[str], years: list[int]
) -> pl.DataFrame:
    span = list(range(min(years), max(years) + 1))
    grid = pl.DataFrame({"year": np.repeat(span, len(providers)), "provider": np.tile(providers, len(span))})
    frame = pl.concat(
        [
            grid.with_columns(
                measure=pl.lit("provider_clients"), true=pl.Series(clients).round(0).cast(pl.Int64)
            ),
            grid.with_columns(
                measure=pl.lit("provider_cost_eur"), true=pl.Series(cost).round(0).cast(pl.Int64)
            ),
        ]
    )
    return frame.filter(pl.col("year").is_in(years)).with_columns(pl.col("year").cast(pl.Int32))

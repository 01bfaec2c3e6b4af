"""Contribution bounding and true aggregates of the gate (private: the values here are not yet noisy).

Keys are public and never read from the records: the years come from the run (the register's declared span
up to the reference year), the wijken from CBS, the providers from the municipality's public list (any other
or empty provider counts as OTHER_PROVIDER). Rows are cut to the years: a trajectory counts in every listed
year it runs in, an ongoing one (empty end_date) runs to 31 December of the last listed year (the reference
year), and anything outside the listed years is ignored.

Per reference year a child is one privacy unit. Bounds, applied per child and year:
- wijk: the wijk of the child's trajectory active on the reference date (latest start first); without one,
  the wijk of its latest-starting trajectory in the year. Empty wijk_code: the node "not in a wijk".
- trajectories: the `max_trajectories_per_child` earliest-starting ones count.
- care types and providers: at most `max_care_types_per_child` / `max_providers_per_child`, those that start
  first; a dropped provider's euros are dropped with it (all unlisted providers are the one key "other").
- cost: a trajectory's cost is shared over the days it runs (to its end, or for an ongoing one to the end of
  the reference year); the child's yearly total is clipped to `cost_clip_eur` (each trajectory scaled by the
  same factor) and each trajectory's share is rounded down to whole euros, so one child moves the euro cells
  of a year by at most the upper clip in L1.
Hence, per year, the L1 change of adding or removing one child is at most 1 (clients, stepped care),
max_care_types_per_child, max_trajectories_per_child, max_providers_per_child and the upper cost clip.

Speed: each client id is hashed once with the ledger's keyed SipHash (which also gives the ledger's sketch),
the rows are sorted once by child and year, and everything else is segment sums over numpy arrays. The
fields a row needs after the sort are packed into one 64-bit word (fewer random gathers).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import polars as pl

from ethics._records_schema import CARE_TYPES
from ethics._sketch import siphash24, smallest_distinct
from ethics.errors import ConfigError
from ethics.policy import PrivacyPolicy

__all__ = ["UNASSIGNED", "OTHER_PROVIDER", "Truth", "Encoded", "encode", "aggregate", "check_years"]

UNASSIGNED = "<not in a wijk>"
OTHER_PROVIDER = "other"
_EPOCH = np.datetime64("1970-01-01", "D")
# Packed row word, high to low: active on reference date (1) | days since first start (16) | node (16) |
# care type (3) | year index (8) | provider (20). The maximum over a child's rows picks its reference wijk.
# "since" counts days from a public epoch 65535 days before the end of the reference year.
_BITS = {"prov": 0, "yidx": 20, "type": 28, "node": 31, "since": 47, "active": 63}
_WIDTH = {"prov": 20, "yidx": 8, "type": 3, "node": 16, "since": 16, "active": 1}


@dataclass(frozen=True)
class Truth:
    """True bounded aggregates (`nodes`: node, year, care_type, measure, true; `providers`) and the keyed
    sketch of the children of each year (for the ledger only)."""

    nodes: pl.DataFrame
    providers: pl.DataFrame
    sketches: dict[int, tuple[int, ...]]


@dataclass
class Encoded:
    """The records as compact numeric arrays (strings encoded, ids keyed-hashed): the text can be freed."""

    cols: dict[str, np.ndarray]
    providers: list[str]
    years: list[int]
    care_types: tuple[str, ...] = CARE_TYPES


def check_years(years: list[int]) -> list[int]:
    """The years to release, sorted and distinct; ConfigError when there are none or they span > 255 years."""
    out = sorted({int(y) for y in years})
    if not out or out[-1] - out[0] >= 255 or out[0] < 1900:
        raise ConfigError(
            "The years to release must be one or more calendar years from 1900 within a span of 255 years."
        )
    return out


def _day(year: np.ndarray, month: int = 1, day: int = 1) -> np.ndarray:
    """Days since 1970 of month-day in each year."""
    first = (year.astype("int64") - 1970).astype("datetime64[Y]").astype("datetime64[M]")
    return ((first + (month - 1)).astype("datetime64[D]") + (day - 1) - _EPOCH).astype(np.int64)


def encode(
    records: pl.DataFrame, wijk_keys: list[str], key: bytes, *, years: list[int], providers: list[str],
    care_types: tuple[str, ...] = CARE_TYPES,
) -> Encoded:
    """Encode care types, wijken (empty: the 'not in a wijk' node) and providers (the public list; others:
    OTHER_PROVIDER) as integers; hash client ids with the ledger's SipHash key. `years` are the public years
    to release; the last one is the reference year at whose end ongoing trajectories are cut. `care_types`
    are the domain's (`ethics._records_schema.RecordLayout`: at most 8, the packed word's 3 bits). Consumes
    `records`: its columns are dropped as they are encoded (less memory for large registers)."""
    years = check_years(years)
    names = list(dict.fromkeys(p.strip() for p in providers if p.strip() and p.strip() != OTHER_PROVIDER))
    if (len(names) + 1 >= 1 << _WIDTH["prov"] or len(wijk_keys) + 1 >= 1 << _WIDTH["node"]
            or len(care_types) > 1 << _WIDTH["type"]):
        raise ConfigError("The provider list or the wijken are more than the gate can count.")
    cut = date(years[-1], 12, 31)
    end = pl.coalesce(pl.col("end_date"), pl.lit(cut))
    index = {name: i for i, name in enumerate(names)}  # matched on the few distinct values, not per row
    mapping = {v: index.get(v.strip(), len(names)) for v in records["provider"].unique().drop_nulls().to_list()}
    prov = pl.col("provider").replace_strict(mapping, default=len(names), return_dtype=pl.Int32)
    cid = siphash24(records.drop_in_place("client_id"), key)
    cols = records.select(
        type=pl.col("care_type").cast(pl.Enum(care_types)).to_physical().cast(pl.Int8),
        node=pl.col("wijk_code").cast(pl.Enum(wijk_keys)).to_physical().cast(pl.Int32).fill_null(len(wijk_keys)),
        prov=prov.fill_null(len(names)),
        start=pl.col("start_date").cast(pl.Int32),
        end=end.cast(pl.Int32),
        y0=pl.col("start_date").dt.year().clip(years[0] - 1, years[-1] + 1).cast(pl.Int16),
        y1=end.dt.year().clip(years[0] - 1, years[-1] + 1).cast(pl.Int16),
        cost=pl.col("cost_eur").fill_null(0.0),
        row=pl.int_range(pl.len(), dtype=pl.Int32),
    )
    for column in list(records.columns):
        records.drop_in_place(column)
    arrays = {c: cols.drop_in_place(c).to_numpy() for c in list(cols.columns)}
    arrays["cid"] = cid
    return Encoded(arrays, [*names, OTHER_PROVIDER], years, tuple(care_types))


def _per_year(a: dict[str, np.ndarray], years: list[int]) -> dict[str, np.ndarray]:
    """One entry per trajectory and listed year it runs in; cost shared by days (most rows span one year).
    Rows are cut to the listed years first (y0, y1 are clipped to one year beyond either end)."""
    y0 = np.maximum(a["y0"].astype(np.int64), years[0])
    y1 = np.minimum(a["y1"].astype(np.int64), years[-1])
    reps = np.maximum(y1 - y0 + 1, 0)
    if (reps == 1).all() and (a["y0"] == a["y1"]).all():
        out = dict(a, year=y0)
    else:
        idx = np.repeat(np.arange(len(reps)), reps)
        out = {k: v[idx] for k, v in a.items()}
        out["year"] = y0[idx] + np.arange(len(idx)) - np.repeat(np.cumsum(reps) - reps, reps)
        lo = np.maximum(out["start"].astype(np.int64), _day(out["year"]))
        hi = np.minimum(out["end"].astype(np.int64), _day(out["year"], 12, 31))
        whole = out["end"].astype(np.int64) - out["start"] + 1
        out["cost"] = np.where(hi - lo + 1 == whole, out["cost"], out["cost"] * (hi - lo + 1) / whole)
    wanted = np.zeros(years[-1] - years[0] + 1, dtype=bool)
    wanted[np.array(years) - years[0]] = True
    keep = wanted[out["year"] - years[0]]
    return out if keep.all() else {k: v[keep] for k, v in out.items()}


def _pack(r: dict[str, np.ndarray], yidx: np.ndarray, privacy: PrivacyPolicy, years: list[int]) -> np.ndarray:
    month, day = (int(x) for x in privacy.reference_date.split("-"))
    ref = _day(np.arange(min(years), max(years) + 1), month, day)[yidx]
    start = r["start"].astype(np.int64)
    epoch = int(_day(np.array([max(years)]), 12, 31)[0]) - ((1 << 16) - 1)  # public: from the reference year
    fields = {
        "active": (start <= ref) & (r["end"] >= ref),
        "yidx": yidx,
        "since": np.clip(start - epoch, 0, (1 << 16) - 1),
        "node": r["node"],
        "type": r["type"],
        "prov": r["prov"],
    }
    word = np.zeros(len(start), dtype=np.uint64)
    for name, values in fields.items():
        word |= values.astype(np.uint64) << np.uint64(_BITS[name])
    return word


def _field(word: np.ndarray, name: str) -> np.ndarray:
    return ((word >> np.uint64(_BITS[name])) & np.uint64((1 << _WIDTH[name]) - 1)).astype(np.int64)


def _sorted_by_child(
    r: dict[str, np.ndarray], years: list[int], privacy: PrivacyPolicy
) -> dict[str, np.ndarray]:
    """Sort by child and year: the packed word, cost and original row; segment starts and child per row."""
    yidx = r["year"] - min(years)
    packed = _pack(r, yidx, privacy, years)
    keys = pl.DataFrame({"cid": r["cid"], "yidx": yidx.astype(np.uint8)})
    order = keys.select(pl.arg_sort_by("cid", "yidx", maintain_order=True)).to_series().to_numpy()  # all cores
    del keys
    out = {"word": packed[order]}
    del packed
    for name in ("cost", "row", "start"):
        out[name] = r.pop(name)[order]  # the unsorted copy is freed at once
    cid, yidx = r.pop("cid")[order], yidx[order]
    r.clear()
    del order
    out["type"], out["prov"], out["yidx"] = (_field(out["word"], f) for f in ("type", "prov", "yidx"))
    if len(cid):
        out["seg"] = np.flatnonzero(np.r_[True, (cid[1:] != cid[:-1]) | (yidx[1:] != yidx[:-1])])
    else:
        out["seg"] = np.zeros(0, np.int64)
    out["child"] = np.repeat(np.arange(len(out["seg"])), np.diff(np.r_[out["seg"], len(cid)]))
    return out


def _first_k(group: np.ndarray, start: np.ndarray, tiebreak: np.ndarray, limit: int) -> np.ndarray:
    """Mask of the `limit` earliest entries within each group (groups need not be contiguous)."""
    order = np.lexsort((tiebreak, start, group))
    g = group[order]
    first = np.r_[0, np.flatnonzero(g[1:] != g[:-1]) + 1]
    rank = np.arange(len(g)) - np.repeat(first, np.diff(np.r_[first, len(g)]))
    keep = np.zeros(len(g), dtype=bool)
    keep[order] = rank < limit
    return keep


def _start(r: dict[str, np.ndarray], rows: np.ndarray) -> np.ndarray:
    """Start dates of the given (sorted) rows: they travel with the rows through the sort."""
    return r["start"][rows].astype(np.int64)


def _pairs(child: np.ndarray, code: np.ndarray, width: int) -> tuple[np.ndarray, np.ndarray]:
    """Distinct (child, code) pairs as child * width + code, and the pair index of each row."""
    pair = child * width + code
    order = np.argsort(pair, kind="stable")  # sorted by child already: timsort merges short runs
    ordered = pair[order]
    flags = np.r_[True, ordered[1:] != ordered[:-1]] if len(pair) else np.zeros(0, bool)
    inverse = np.empty(len(pair), dtype=np.int64)
    inverse[order] = np.cumsum(flags) - 1
    return ordered[flags], inverse


def _bounded_pairs(
    r: dict, code: np.ndarray, width: int, limit: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Distinct (child, code) pairs, each row's pair, and which pairs count (first `limit` per child)."""
    uniq, inv = _pairs(r["child"], code, width)
    child = uniq // width
    keep = np.ones(len(uniq), dtype=bool)
    over = np.flatnonzero((np.bincount(child, minlength=len(r["seg"])) > limit)[child])
    if len(over):
        is_over = np.zeros(len(uniq), dtype=bool)
        is_over[over] = True
        rows = np.flatnonzero(is_over[inv])
        first = np.full(len(uniq), np.iinfo(np.int64).max)
        np.minimum.at(first, inv[rows], _start(r, rows))
        keep[over] = _first_k(child[over], first[over], uniq[over] % width, limit)
    return uniq, inv, keep


def _providers(r: dict, euros: np.ndarray, n_years: int, n_prov: int, limit: int) -> tuple[np.ndarray, ...]:
    uniq, inv, keep = _bounded_pairs(r, r["prov"], n_prov, limit)
    child, prov = uniq // n_prov, uniq % n_prov
    yidx_child = r["yidx"][r["seg"]]
    clients = np.bincount(yidx_child[child] * n_prov + prov, weights=keep, minlength=n_years * n_prov)
    weights = euros * keep[inv] if not keep.all() else euros
    cost = np.bincount(r["yidx"] * n_prov + r["prov"], weights=weights, minlength=n_years * n_prov)
    return clients, cost


def _type_counts(r: dict, cell: np.ndarray, size: int, limit: int, k: int) -> np.ndarray:
    """Children per cell and care type (k of them), each child in at most `limit` care types."""
    uniq, _, keep = _bounded_pairs(r, r["type"], k, limit)
    return np.bincount(cell[uniq // k] * k + uniq % k, weights=keep, minlength=size * k).reshape(size, k)


def aggregate(enc: Encoded, privacy: PrivacyPolicy, wijk_keys: list[str]) -> Truth:
    """Bound every child's contribution and count per node x year x care type, and per provider, for the
    public years of `enc`."""
    years = enc.years
    per_year = _per_year(enc.cols, years)
    enc.cols.clear()
    sketches = {
        y: smallest_distinct(per_year["cid"][per_year["year"] == y], privacy.sketch_size) for y in years
    }
    r = _sorted_by_child(per_year, years, privacy)
    del per_year
    seg, child, cap = r["seg"], r["child"], privacy.max_trajectories_per_child
    n_years, n_nodes, k = max(years) - min(years) + 1, len(wijk_keys) + 1, len(enc.care_types)
    n_traj = np.diff(np.r_[seg, len(child)])
    kept = np.ones(len(child), dtype=bool)
    over = np.flatnonzero((n_traj > cap)[child])
    kept[over] = _first_k(child[over], _start(r, over), r["row"][over], cap)
    node = _field(np.maximum.reduceat(r["word"], seg), "node") if len(child) else np.zeros(0, np.int64)
    cost_child = np.add.reduceat(r["cost"], seg) if len(child) else np.zeros(0)
    lo, hi = privacy.cost_clip_eur
    factor = np.where(
        cost_child > 0, np.clip(cost_child, lo, hi) / np.where(cost_child > 0, cost_child, 1), 1.0
    )
    euros = np.floor(r["cost"] * factor[child])  # whole euros, rounded down: a child's sum stays <= the clip
    cell = node * n_years + r["yidx"][seg]
    size = n_nodes * n_years
    cell_row = cell[child] * k + r["type"]
    measures = {
        "clients": np.bincount(cell, minlength=size)[:, None],
        "stepped_care_clients": np.bincount(cell, weights=np.minimum(n_traj, cap) >= 3, minlength=size)[
            :, None
        ],
        "clients_by_care_type": _type_counts(r, cell, size, privacy.max_care_types_per_child, k),
        "trajectories": np.bincount(cell_row, weights=kept, minlength=size * k).reshape(size, k),
        "cost_eur": np.bincount(cell_row, weights=euros, minlength=size * k).reshape(
            size, k
        ),
    }
    prov_clients, prov_cost = _providers(
        r, euros, n_years, len(enc.providers), privacy.max_providers_per_child
    )
    return Truth(
        nodes=_node_frame(measures, [*wijk_keys, UNASSIGNED], years, enc.care_types),
        providers=_provider_frame(prov_clients, prov_cost, enc.providers, years),
        sketches=sketches,
    )


def _node_frame(measures: dict[str, np.ndarray], nodes: list[str], years: list[int],
                care_types: tuple[str, ...]) -> pl.DataFrame:
    """Long frame (node, year, care_type, measure, true) of the listed years; values are whole numbers."""
    span = np.arange(min(years), max(years) + 1)
    node_idx, year = np.repeat(np.arange(len(nodes)), len(span)), np.tile(span, len(nodes))
    cols: dict[str, list[np.ndarray]] = {"node": [], "year": [], "care_type": [], "measure": [], "true": []}
    labels = {"all": ["all"], "types": list(care_types)}
    for name, values in measures.items():
        types = labels["all"] if values.shape[1] == 1 else labels["types"]
        for t, care_type in enumerate(types):
            cols["node"].append(node_idx)
            cols["year"].append(year)
            cols["care_type"].append(np.full(len(year), care_type, dtype=object))
            cols["measure"].append(np.full(len(year), name, dtype=object))
            cols["true"].append(np.rint(values[:, t]).astype(np.int64))
    frame = pl.DataFrame(
        {
            "node": pl.Series(np.array(nodes, dtype=object)[np.concatenate(cols["node"])], dtype=pl.String),
            "year": pl.Series(np.concatenate(cols["year"]), dtype=pl.Int32),
            "care_type": pl.Series(np.concatenate(cols["care_type"]), dtype=pl.String),
            "measure": pl.Series(np.concatenate(cols["measure"]), dtype=pl.String),
            "true": pl.Series(np.concatenate(cols["true"]), dtype=pl.Int64),
        }
    )
    return frame if len(span) == len(years) else frame.filter(pl.col("year").is_in(years))


def _provider_frame(
    clients: np.ndarray, cost: np.ndarray, providers: list[str], years: list[int]
) -> pl.DataFrame:
    span = np.arange(min(years), max(years) + 1)
    n = len(span) * len(providers)
    frame = pl.DataFrame(
        {
            "year": pl.Series(np.tile(np.repeat(span, len(providers)), 2), dtype=pl.Int32),
            "provider": pl.Series(np.tile(np.array(providers, dtype=object), 2 * len(span)), dtype=pl.String),
            "measure": pl.Series(["provider_clients"] * n + ["provider_cost_eur"] * n, dtype=pl.String),
            "true": pl.Series(np.rint(np.r_[clients, cost]).astype(np.int64), dtype=pl.Int64),
        }
    )
    return frame if len(span) == len(years) else frame.filter(pl.col("year").is_in(years))

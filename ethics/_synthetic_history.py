"""A SYNTHETIC multi-year youth-care register: children who age, move, start, stop and return.

Nothing here describes a real child (see `ethics.synthetic`: `synthetic = true`, fresh random ids, fictional
providers). Used by `generate_register` when it is asked for more than one year.

Calibration, per wijk of the gemeente (the codes of the panel's latest year, which the gate accepts):
- children in care per wijk and year: the CBS count where the panel has one (secret counts: rate x youth
  population, else FILL_SECRET children when the wijk has youths); a year with a rate but no count (KWB
  2018-2020): rate x the wijk's youth population of the nearest year; years without either (2023, 2025 and
  any other) follow the wijk's own series: log-linear interpolation between known years, and beyond the last
  (or before the first) known year the average of the wijk's and the gemeente's log-linear trend.
- children without a known wijk (empty wijk_code): the gemeente's mean share of them over the years with both.
- care types: the gemeente's "Indicatoren jeugdzorg" shares (nearest year with them, else the NL value) for
  residential care, protection and probation (from age 12), each moved per wijk by a lasting factor and a
  small yearly drift (wijken differ in mix and in how it changes); everyone else has jeugdhulp zonder
  verblijf, as do 60% of those with another type.
Dynamics, per year: a child in care stays in care with probability STAY (lower after several years), leaves
care at 23, moves to another wijk with probability MOVE; places left open in a wijk go to children who
return after a break (about RETURN_SHARE of them) and to new children (age bands as the gemeente's). Heavier
care goes first to children who had it the year before, then to those longest in care (stepped care), and a
child's trajectories in a year run from the lightest care type to the heaviest. A trajectory that runs to 31
December is continued on 1 January by the same trajectory (one row) when the child keeps that care type and
wijk; the children in care at the end of the last year are ongoing (empty end_date) in 40% of cases.
"""

from __future__ import annotations

import os

import numpy as np
import polars as pl

from ethics._records_schema import CARE_TYPES
from ethics.errors import ConfigError

__all__ = ["generate_history", "wijk_targets", "DEMO_YEARS"]

DEMO_YEARS = "2018-2025"  # the default span of a demo register (`demo-records`, `run --demo-records`)

FILL_SECRET = 3
STAY, STAY_LONG, MOVE, RETURN_SHARE = 0.6, 0.45, 0.06, 0.15
BAND_AGES = ((0, 3), (4, 11), (12, 17), (18, 22))
START_TILT = np.array([1.3, 1.15, 0.9, 0.5])  # new children are younger than the children in care


def _log_trend(years: np.ndarray, values: np.ndarray) -> float:
    ok = np.isfinite(values) & (values > 0)
    if ok.sum() < 2:
        return 0.0
    return float(np.polyfit(years[ok], np.log(values[ok]), 1)[0])


def _fill(span: list[int], known: dict[int, float], own: float, gem: float) -> np.ndarray:
    """Values over `span` from the known years: log-linear between, (own + gemeente trend) / 2 beyond."""
    out = np.full(len(span), np.nan)
    ks = sorted(y for y, v in known.items() if v is not None and v > 0)
    if not ks:
        return np.zeros(len(span))
    slope = (own + gem) / 2
    for i, y in enumerate(span):
        if y in known and known[y] is not None and known[y] > 0:
            out[i] = known[y]
        elif y < ks[0]:
            out[i] = known[ks[0]] * np.exp(slope * (y - ks[0]))
        elif y > ks[-1]:
            out[i] = known[ks[-1]] * np.exp(slope * (y - ks[-1]))
        else:
            lo, hi = max(k for k in ks if k < y), min(k for k in ks if k > y)
            w = (y - lo) / (hi - lo)
            out[i] = np.exp((1 - w) * np.log(known[lo]) + w * np.log(known[hi]))
    return out


def wijk_targets(panel: pl.DataFrame, gemeente: str, span: list[int], scale: float = 1.0) -> pl.DataFrame:
    """Children in care per wijk (latest codes; None = no known wijk) and year, as in the module doc."""
    latest = int(panel["year"].max())
    codes = (
        panel.filter(pl.col("year") == latest, pl.col("level") == "wijk", pl.col("gemeente_code") == gemeente)
        .sort("region_code")["region_code"].to_list()
    )
    gem_rows = panel.filter(pl.col("region_code") == gemeente)
    if not codes or gem_rows.is_empty():
        raise ConfigError(
            f"Gemeente {gemeente} has no CBS wijken in {latest}; pick a code from `wijksignaal data info --gemeenten`."
        )
    rows = panel.filter(pl.col("region_code").is_in(codes)).sort("year")
    pop: dict[str, dict[int, float]] = {c: {} for c in codes}
    for c, y, p in rows.select("region_code", "year", "youth_0_22_est").iter_rows():
        if p:
            pop[c][y] = p
    count_years = set(rows.filter(pl.col("youth_care_clients").is_not_null())["year"].to_list())
    known: dict[str, dict[int, float]] = {c: {} for c in codes}
    for c, y, n, rate in rows.select("region_code", "year", "youth_care_clients", "youth_care_rate_pct").iter_rows():
        near = pop[c].get(y) or (pop[c][min(pop[c], key=lambda yy: (abs(yy - y), yy))] if pop[c] else None)
        if n is not None:
            known[c][y] = float(n)
        elif rate is not None and near:
            known[c][y] = rate * near / 100
        elif y in count_years and (near or 0) > 0:
            known[c][y] = float(FILL_SECRET)  # a secret count (true value 0..7)
    years = sorted({y for k in known.values() for y in k})
    tot = np.array([sum(k.get(y, 0.0) for k in known.values()) for y in years])
    gem_slope = _log_trend(np.array(years, float), tot)
    series = {}
    for c in codes:
        ys = np.array(sorted(known[c]), float)
        own = _log_trend(ys, np.array([known[c][int(y)] for y in ys])) if len(ys) else gem_slope
        series[c] = _fill(span, known[c], float(np.clip(own, -0.15, 0.15)), gem_slope)
    # children without a known wijk: the gemeente's mean share of them
    gem_n = dict(gem_rows.select("year", "youth_care_clients").drop_nulls().iter_rows())
    shares = [1 - tot[i] / gem_n[y] for i, y in enumerate(years) if gem_n.get(y)]
    share = float(np.clip(np.mean(shares), 0, 0.5)) if shares else 0.0
    matrix = np.vstack([series[c] for c in codes])
    rest = matrix.sum(axis=0) * share / max(1 - share, 1e-9)
    matrix = np.rint(np.vstack([matrix, rest]) * scale).astype(np.int64)
    return pl.DataFrame(
        {
            "wijk_code": [c for c in [*codes, None] for _ in span],
            "year": [y for _ in range(len(codes) + 1) for y in span],
            "children": matrix.reshape(-1),
        },
        schema={"wijk_code": pl.String, "year": pl.Int32, "children": pl.Int64},
    )


def _nearest(panel: pl.DataFrame, code: str, year: int, cols: tuple[str, ...]) -> dict:
    rows = panel.filter(pl.col("region_code") == code).filter(pl.any_horizontal(pl.col(c).is_not_null() for c in cols))
    if rows.is_empty():
        return {}
    rows = rows.with_columns(d=(pl.col("year") - year).abs()).sort("d", "year")
    return rows.row(0, named=True)


def _type_shares(panel: pl.DataFrame, gemeente: str, year: int) -> np.ndarray:
    """Shares of children in care with residential care, protection, probation (of the 12+ in care)."""
    cols = ("pct_youth_jeugdhulp", "pct_youth_jeugdhulp_residential", "pct_youth_protection", "pct_youth_probation")
    gem = _nearest(panel, gemeente, year, cols)
    land = panel.filter(pl.col("level") == "land")
    nl = _nearest(panel, str(land["region_code"][0]), year, cols) if not land.is_empty() else {}

    def pct(name: str, default: float) -> float:
        for src in (gem, nl):
            if src.get(name) is not None:
                return float(src[name])
        return default

    jh = pct("pct_youth_jeugdhulp", 10.0) or 10.0
    return np.array([pct("pct_youth_jeugdhulp_residential", 7.0) / 100, pct("pct_youth_protection", 1.0) / jh,
                     pct("pct_youth_probation", 0.4) / jh])


def _ids(n: int) -> np.ndarray:
    return np.frombuffer(os.urandom(8 * n + 8), dtype=np.uint64)[:n]


def _children_years(
    targets: pl.DataFrame, span: list[int], band_mix: np.ndarray, shares: np.ndarray, rng: np.random.Generator
) -> pl.DataFrame:
    """One row per child and year in care: child (index), year, wijk (index), birth_year, types (4 bools)."""
    n_w = targets["wijk_code"].n_unique()
    target = targets["children"].to_numpy().reshape(n_w, len(span))
    cap = int(target.sum() * 1.2) + 16
    birth = np.zeros(cap, np.int64)
    wijk = np.zeros(cap, np.int64)
    active = np.zeros(cap, bool)
    ever = np.zeros(cap, bool)
    years_in = np.zeros(cap, np.int64)
    last = np.zeros((cap, 3), bool)
    n = 0
    w_factor = rng.lognormal(0, 0.3, size=(n_w, 3))
    w_drift = rng.normal(0, 0.04, size=(n_w, 3))
    ages = np.concatenate([np.arange(lo, hi + 1) for lo, hi in BAND_AGES])
    tilt = band_mix * START_TILT
    age_p = np.concatenate([np.full(hi - lo + 1, m / (hi - lo + 1))
                            for (lo, hi), m in zip(BAND_AGES, tilt, strict=True)])
    age_p /= age_p.sum()
    out = []
    for j, y in enumerate(span):
        stay = rng.random(n) < np.where(years_in[:n] >= 3, STAY_LONG, STAY)
        keep = active[:n] & stay & (y - birth[:n] <= 22)
        move = keep & (rng.random(n) < MOVE)
        weights = target[:, j] / max(target[:, j].sum(), 1)
        wijk[:n][move] = rng.choice(n_w, move.sum(), p=weights) if move.any() else wijk[:n][move]
        active[:n] = keep
        for w in range(n_w):
            here = np.flatnonzero(active[:n] & (wijk[:n] == w))
            need = int(target[w, j]) - len(here)
            if need < 0:
                active[rng.choice(here, -need, replace=False)] = False
                continue
            pool = np.flatnonzero(ever[:n] & ~active[:n] & (wijk[:n] == w) & (y - birth[:n] <= 22))
            back = rng.choice(pool, min(len(pool), int(RETURN_SHARE * need)), replace=False) if len(pool) else pool
            active[back] = True
            fresh = need - len(back)
            if n + fresh > cap:
                grow = max(cap, fresh)
                birth, wijk, active, ever, years_in = (np.r_[a, np.zeros(grow, a.dtype)]
                                                       for a in (birth, wijk, active, ever, years_in))
                last = np.r_[last, np.zeros((grow, 3), bool)]
                cap += grow
            birth[n:n + fresh] = y - rng.choice(ages, fresh, p=age_p)
            wijk[n:n + fresh], active[n:n + fresh], ever[n:n + fresh] = w, True, True
            years_in[n:n + fresh], last[n:n + fresh] = 0, False
            n += fresh
        idx = np.flatnonzero(active[:n])
        types = np.zeros((len(idx), 4), bool)
        score = rng.normal(size=(len(idx), 3)) + 1.5 * last[idx] + 0.3 * np.minimum(years_in[idx], 4)[:, None]
        score[:, 2] = np.where(y - birth[idx] >= 12, score[:, 2], -np.inf)  # probation from age 12
        for w in range(n_w):
            sel = np.flatnonzero(wijk[idx] == w)
            if not len(sel):
                continue
            share = shares * w_factor[w] * np.exp(w_drift[w] * (y - span[0]))
            for t in range(3):
                k = min(int(round(len(sel) * min(share[t], 0.9))), int(np.isfinite(score[sel, t]).sum()))
                if k:
                    types[sel[np.argsort(-score[sel, t])[:k]], t + 1] = True
        types[:, 0] = ~types[:, 1:].any(axis=1) | (rng.random(len(idx)) < 0.6)
        last[idx] = types[:, 1:]
        years_in[idx] += 1
        out.append(pl.DataFrame({"child": idx, "year": np.full(len(idx), y, np.int32), "wijk": wijk[idx],
                                 "birth_year": birth[idx], **{f"t{t}": types[:, t] for t in range(4)}}))
    return pl.concat(out)


def _trajectories(cy: pl.DataFrame, ratio: float, last_year: int, rng: np.random.Generator) -> pl.DataFrame:
    """Trajectories (one row each) of the child-years: lightest care first; dates within the year, from 1
    January for a child in care the year before and to 31 December for one in care the year after."""
    cy = cy.sort("child", "year").with_columns(
        prev=(pl.col("year").shift(1).over("child") == pl.col("year") - 1).fill_null(False),
        next=(pl.col("year").shift(-1).over("child") == pl.col("year") + 1).fill_null(False),
    )
    has = cy.select(f"t{t}" for t in range(4)).to_numpy()
    n_types = has.sum(axis=1)
    extra = rng.poisson(max(ratio - 1.4, 0.05), len(cy))
    n_traj = n_types + extra
    row = np.repeat(np.arange(len(cy)), n_traj)
    pos = np.arange(len(row)) - np.repeat(np.cumsum(n_traj) - n_traj, n_traj)
    ordered = np.sort(np.where(has, np.arange(4), 9), axis=1)
    type_idx = ordered[row, np.maximum(pos - extra[row], 0)]
    first, final = pos == 0, pos == n_traj[row] - 1
    prev, nxt = cy["prev"].to_numpy()[row], cy["next"].to_numpy()[row]
    start = np.where(first & prev, 0, rng.integers(0, 300, len(row)))
    order = np.lexsort((start, row))
    start, type_idx = start[order], type_idx[order]
    next_start = np.r_[start[1:], 365]
    end = np.where(final, np.where(nxt, 364, rng.integers(start, 365)), np.maximum(next_start - 1, start))
    year = cy["year"].to_numpy()[row]
    ongoing = final & (year == last_year) & (rng.random(len(row)) < 0.4)
    return pl.DataFrame({"row": row, "type": type_idx, "start": start, "end": end, "ongoing": ongoing})


def generate_history(
    panel: pl.DataFrame,
    gemeente: str,
    years: list[int],
    *,
    scale: float,
    rng: np.random.Generator,
    prices: dict[str, float],
    by_type: dict[str, tuple[str, ...]],
    providers_other: str,
    unlisted_share: float,
    referrers: tuple[str, ...],
) -> pl.DataFrame:
    """The register over `years` (the columns of `ethics.synthetic._frame`), see the module doc."""
    span = list(range(min(years), max(years) + 1))
    targets = wijk_targets(panel, gemeente, span, scale)
    codes = targets["wijk_code"].unique(maintain_order=True).to_list()
    bands = ("youth_care_clients_0_3", "youth_care_clients_4_11", "youth_care_clients_12_17",
             "youth_care_clients_18_22")
    latest = int(panel["year"].max())
    gem = _nearest(panel, gemeente, latest, ("youth_care_clients_0_3", "youth_care_trajectories"))
    mix = np.array([gem.get(b) or 1.0 for b in bands], float)
    ratio = (gem.get("youth_care_trajectories") or 0) / max(gem.get("youth_care_clients") or 1, 1) or 1.6
    cy = _children_years(targets, span, mix / mix.sum(), _type_shares(panel, gemeente, latest), rng)
    t = _trajectories(cy, ratio, span[-1], rng)
    cy = cy.sort("child", "year")
    row = t["row"].to_numpy()
    child = cy["child"].to_numpy()[row]
    ids = _ids(int(cy["child"].max()) + 1 if cy.height else 0)
    names = [name for c in CARE_TYPES for name in by_type[c]] + [providers_other]
    first = np.cumsum([0] + [len(by_type[c]) for c in CARE_TYPES])[:-1]
    count = np.array([len(by_type[c]) for c in CARE_TYPES])
    tt = t["type"].to_numpy()
    provider = first[tt] + (rng.random(len(row)) * count[tt]).astype(np.int64)
    provider[rng.random(len(row)) < unlisted_share] = len(names) - 1
    days = (t["end"].to_numpy() - t["start"].to_numpy() + 1).astype(float)
    price = np.array([prices[c] for c in CARE_TYPES])[tt]
    ref_w = np.array([gem.get(f"trajectories_referrer_{r}") or 0 for r in referrers], float) + 1
    years_arr = cy["year"].to_numpy()[row]
    jan1 = (years_arr.astype("int64") - 1970).astype("datetime64[Y]").astype("datetime64[D]")
    frame = pl.DataFrame(
        {
            "client_id": ids[child],
            "birth_year": cy["birth_year"].to_numpy()[row].astype(np.int64),
            "wijk_code": pl.Series(codes, dtype=pl.String).gather(cy["wijk"].to_numpy()[row]),
            "care_type": pl.Series(CARE_TYPES, dtype=pl.String).gather(tt),
            "provider": pl.Series(names, dtype=pl.String).gather(provider),
            "start_date": jan1 + t["start"].to_numpy().astype("timedelta64[D]"),
            "end_date": jan1 + t["end"].to_numpy().astype("timedelta64[D]"),
            "ongoing": t["ongoing"].to_numpy(),
            "cost_eur": price * days / 365 * rng.lognormal(-0.125, 0.5, len(row)),
            "referrer": pl.Series(referrers, dtype=pl.String).gather(
                rng.choice(len(referrers), len(row), p=ref_w / ref_w.sum())),
        }
    )
    # one row for a trajectory that runs on from 31 December to 1 January (same child, care type and wijk)
    keys = ["client_id", "care_type", "wijk_code"]
    frame = (
        frame.sort(*keys, "start_date", nulls_last=True)
        .with_columns(
            chain=(pl.col("start_date") != (pl.col("end_date").shift(1) + pl.duration(days=1)))
            .fill_null(True).cum_sum().over(keys)
        )
        .group_by(*keys, "chain", maintain_order=True)
        .agg(
            pl.col("birth_year").first(), pl.col("provider").first(), pl.col("start_date").min(),
            pl.col("end_date").max(), pl.col("ongoing").any(), pl.col("cost_eur").sum(), pl.col("referrer").first(),
        )
    )
    return frame.select(
        client_id=pl.lit("SYN-") + pl.col("client_id").cast(pl.String),
        birth_year="birth_year",
        wijk_code="wijk_code",
        care_type="care_type",
        provider="provider",
        start_date="start_date",
        end_date=pl.when(pl.col("ongoing")).then(None).otherwise(pl.col("end_date")),
        cost_eur=pl.col("cost_eur").round(2),
        referrer="referrer",
        synthetic=pl.lit(True),
    ).sample(fraction=1.0, shuffle=True, seed=int(rng.integers(0, 2**31)))

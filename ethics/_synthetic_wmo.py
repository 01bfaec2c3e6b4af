"""A SYNTHETIC multi-year Wmo register: adults (most 65+) with maatwerkvoorzieningen who age, move, stop and die.

Nothing here describes a real person. Every row has `synthetic = true`, client ids are fresh random values from
the operating system (`os.urandom`; each register is a new set of synthetic clients), providers are fictional
names ending in "(SYNTHETIC)" (WMO_PROVIDERS, or the given public list shared over the categories round-robin,
with about 3% of provisions at UNLISTED_PROVIDER as in `ethics.synthetic`). One row per provision (layout
`ethics._records_schema.WMO`).

Calibration (the panel is the Wmo view of the panel, `toolkit.domains.get_domain("wmo").view`, whose client
slots hold Wmo clients and all inhabitants):
- clients per wijk and year: `ethics._synthetic_history.wijk_targets` on that view, i.e. the CBS Wmo count of
  the wijk in 2021 and 2024 (the years CBS has them; secret counts 0..7 as there), log-linear between them and
  the wijk's and gemeente's trend outside. Clients without a known wijk (empty wijk_code) as wijk_targets gives
  them. A person counts in the wijk of the gate (`ethics._aggregate`: the provision active on the reference
  date, latest start first): every provision of a client in a year carries that year's wijk, so the distinct
  clients per wijk and year equal the targets exactly.
- ages: Wmo use per inhabitant of each CBS age band is estimated from the data: non-negative least squares,
  weighted by sqrt(inhabitants), of the Wmo rate (clients per inhabitant) on the age-band shares over the
  Dutch wijken of the latest year with Wmo counts (>= MIN_POPULATION inhabitants), with use non-decreasing
  over the adult bands (the unknowns are the steps between bands; plain NNLS on these collinear shares swings
  between neighbouring bands) and none under 15 (youth support falls under the Jeugdwet). A wijk's clients per
  band follow its inhabitants per band (nearest CBS year) times those rates: new clients fill the bands that
  are short of that mix. Ages within a band: uniform from 18 (the 15-24 band) to the band's end; 65+ is 65 plus
  a gamma(2.5, 7 years) draw (median about 80), capped at 104.
- provision categories: an entering client holds 1, 2 or 3 provisions (PROVISIONS_PER_CLIENT), drawn without
  replacement by the client weights of `[synthetic]` in configs/domains/wmo.toml (demo assumptions).
- euros: per year, clients x the Wmo price per client and year ([prices.wmo_all_provisions] of
  configs/prices.toml), split over categories by the national CBS Iv3 2023 Wmo lasten per taakveld
  (`[synthetic]` of configs/domains/wmo.toml, with their source), shared over the days a provision runs in the
  year, times a lognormal factor (mean 1) per provision; so the cost per client averages the price.
Dynamics per year (plausible for Wmo, demo assumptions): a client dies with DEATH_RATE of the age (about
twice the general population's: Wmo clients are frailer; none lives past 104), else stops with STOP (support no
longer needed, a move out of the gemeente or into Wlz care); moves to another wijk with MOVE; places left open
in a wijk go to former clients of the wijk who return (about RETURN_SHARE) and to new clients. A held category
is kept with 1 - DROP, another is added with ADD (at most 3); a woningaanpassing is a one-off (a trajectory of
at most ADAPTATION_DAYS, never carried into the next year). A provision held in consecutive years in the same
wijk is one row. In the first year most provisions began before it (PRIOR_SHARE, up to PRIOR_YEARS back); in
the last year ONGOING of the provisions (other than woningaanpassing) are still running: empty end_date.
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path

import numpy as np
import polars as pl

from ethics._records_schema import WMO_CARE_TYPES
from ethics._synthetic_history import DEMO_YEARS as _DEMO_SPAN
from ethics._synthetic_history import _ids, wijk_targets
from ethics.errors import ConfigError
from ethics.policy import CONFIG_DIR

__all__ = ["generate_wmo_register", "age_band_rates", "category_cost_shares", "WMO_PROVIDERS", "DEMO_YEARS"]

DEMO_YEARS = list(range(int(_DEMO_SPAN.split("-")[0]), int(_DEMO_SPAN.split("-")[1]) + 1))
AGE_BANDS = ("pop_0_14", "pop_15_24", "pop_25_44", "pop_45_64", "pop_65_plus")
BAND_AGES = ((0, 14), (18, 24), (25, 44), (45, 64), (65, 104))
MIN_POPULATION = 100
OLD_SHAPE, OLD_SCALE = 2.5, 7.0  # ages 65+: 65 + gamma(shape, scale) years
# yearly death probability from the listed ages: about twice CBS life-table rates (Wmo clients are frailer);
# the table closes at 105 (nobody is older than 104, as in the age draw)
DEATH_RATE = ((65, 0.02), (75, 0.06), (85, 0.17), (95, 0.35), (105, 1.0))
STOP, MOVE, RETURN_SHARE = 0.10, 0.03, 0.15
PROVISIONS_PER_CLIENT = (0.6, 0.3, 0.1)  # 1, 2, 3 provisions on entry
DROP, ADD = 0.10, 0.08
ADAPTATION = WMO_CARE_TYPES.index("woningaanpassing")
ADAPTATION_DAYS = 60
PRIOR_SHARE, PRIOR_YEARS = 0.7, 5
ONGOING = 0.8
COST_SIGMA = 0.5
COLUMNS = ("client_id", "birth_year", "wijk_code", "care_type", "provider", "start_date", "end_date", "cost_eur",
           "synthetic")
WMO_PROVIDERS = {
    "hulp_bij_het_huishouden": ("Thuishulp Duinrand (SYNTHETIC)", "Huishoudservice Hofstad (SYNTHETIC)",
                                "Schoon & Thuis Zuidwest (SYNTHETIC)"),
    "ondersteuning_thuis": ("Begeleiding Het Plein (SYNTHETIC)", "Dagbesteding De Linde (SYNTHETIC)",
                            "Wijkzorg Kijkduin (SYNTHETIC)"),
    "hulpmiddelen_en_diensten": ("Hulpmiddelencentrum Kust (SYNTHETIC)", "Rolstoel & Scootmobiel West (SYNTHETIC)"),
    "verblijf_en_opvang": ("Logeerhuis De Vuurtoren (SYNTHETIC)", "Opvang Stadsduin (SYNTHETIC)"),
    "woningaanpassing": ("Aanpasbouw Haaglanden (SYNTHETIC)",),
    "vervoersdiensten": ("Regiotaxi Duinstreek (SYNTHETIC)", "Vervoer op Maat Zuid (SYNTHETIC)"),
}


def _synthetic_settings(path: Path) -> dict:
    try:
        cfg = tomllib.loads(path.read_text(encoding="utf-8")).get("synthetic")
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"The domain file {path} cannot be read as TOML ({exc}).") from None
    if not cfg or "client_weights" not in cfg or "iv3_lasten_keur" not in cfg:
        raise ConfigError(f"{path} has no [synthetic] table with iv3_lasten_keur and client_weights.")
    return cfg


def category_cost_shares(path: Path = CONFIG_DIR / "domains" / "wmo.toml") -> np.ndarray:
    """Share of the Wmo euros per category (WMO_CARE_TYPES order) from the Iv3 lasten in `[synthetic]`."""
    cfg = _synthetic_settings(path)
    euros = np.zeros(len(WMO_CARE_TYPES))
    for taakveld, keur in cfg["iv3_lasten_keur"].items():
        split = cfg.get("taakveld_categories", {}).get(taakveld)
        if not split:
            raise ConfigError(f"{path}: taakveld {taakveld} has no entry in [synthetic.taakveld_categories].")
        for category, part in split.items():
            if category not in WMO_CARE_TYPES:
                raise ConfigError(f"{path}: {category!r} is not a Wmo category ({', '.join(WMO_CARE_TYPES)}).")
            euros[WMO_CARE_TYPES.index(category)] += float(keur) * float(part)
    return euros / euros.sum()


def _client_weights(path: Path) -> np.ndarray:
    weights = _synthetic_settings(path)["client_weights"]
    out = np.array([float(weights.get(c, 0.0)) for c in WMO_CARE_TYPES])
    if (out < 0).any() or out.sum() <= 0:
        raise ConfigError(f"{path}: [synthetic.client_weights] must be non-negative and not all zero.")
    return out


def _price(path: Path) -> float:
    raw = tomllib.loads(path.read_text(encoding="utf-8")).get("prices", {})
    price = raw.get("wmo_all_provisions", {}).get("eur_per_client_year")
    if price is None:
        raise ConfigError(f"{path} has no [prices.wmo_all_provisions] eur_per_client_year.")
    return float(price)


def age_band_rates(panel: pl.DataFrame, year: int | None = None) -> np.ndarray:
    """Wmo clients per inhabitant of each age band (AGE_BANDS), see the module doc (monotone NNLS)."""
    from scipy.optimize import nnls

    counted = panel.filter(pl.col("level") == "wijk", pl.col("youth_care_clients").is_not_null())
    if year is None and not counted.is_empty():
        year = int(counted["year"].max())
    rows = counted.filter(pl.col("year") == year, pl.col("youth_0_22_est") >= MIN_POPULATION).drop_nulls(AGE_BANDS)
    if rows.height < len(AGE_BANDS):
        raise ConfigError("Too few wijken with Wmo counts and age bands to estimate Wmo use per age band.")
    pop = rows["youth_0_22_est"].to_numpy().astype(float)
    shares = rows.select(AGE_BANDS).to_numpy().astype(float) / pop[:, None]
    at_or_above = np.cumsum(shares[:, ::-1], axis=1)[:, ::-1][:, 1:]  # share aged band k or older, k >= 15-24
    w = np.sqrt(pop)
    steps, _ = nnls(at_or_above * w[:, None], rows["youth_care_clients"].to_numpy() / pop * w)
    return np.r_[0.0, np.cumsum(steps)]


def _band_mix(panel: pl.DataFrame, gemeente: str, codes: list[str | None], span: list[int],
              rates: np.ndarray) -> np.ndarray:
    """Share of a wijk's clients per age band: (n_wijk, n_year, 5); the None node takes the gemeente's."""
    rows = panel.filter(pl.col("region_code").is_in([*[c for c in codes if c], gemeente])).drop_nulls(AGE_BANDS)
    have = sorted(set(rows["year"].to_list()))
    mix = np.zeros((len(codes), len(span), len(AGE_BANDS)))
    if not have:
        mix[:, :, -1] = 1.0
        return mix
    lookup = {(c, y): np.array(b, float) for c, y, *b in rows.select("region_code", "year", *AGE_BANDS).iter_rows()}
    for j, y in enumerate(span):
        near = min(have, key=lambda h: (abs(h - y), -h))
        gem = lookup.get((gemeente, near), np.ones(len(AGE_BANDS)))
        for i, c in enumerate(codes):
            use = lookup.get((c or gemeente, near), gem) * rates
            mix[i, j] = use if use.sum() > 0 else gem * rates
    total = mix.sum(axis=2, keepdims=True)
    return np.where(total > 0, mix / np.where(total > 0, total, 1), np.eye(len(AGE_BANDS))[-1])


def _rank_within(groups: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A random rank of each element within its group (0, 1, ...)."""
    order = np.lexsort((rng.random(len(groups)), groups))
    sorted_groups = groups[order]
    starts = np.r_[0, np.flatnonzero(sorted_groups[1:] != sorted_groups[:-1]) + 1]
    first = np.repeat(starts, np.diff(np.r_[starts, len(groups)]))
    rank = np.empty(len(groups), np.int64)
    rank[order] = np.arange(len(groups)) - first
    return rank


def _draw_categories(n: int, weights: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """n rows of held categories: 1-3 each (PROVISIONS_PER_CLIENT), without replacement by weight (Gumbel top-k)."""
    k = rng.choice(len(PROVISIONS_PER_CLIENT), n, p=PROVISIONS_PER_CLIENT) + 1
    keys = np.log(np.maximum(weights, 1e-12)) + rng.gumbel(size=(n, len(weights)))
    rank = np.argsort(np.argsort(-keys, axis=1), axis=1)
    return rank < k[:, None]


def _death_rate(age: np.ndarray) -> np.ndarray:
    out = np.zeros(len(age))
    for lo, p in DEATH_RATE:
        out[age >= lo] = p
    return out


def _band_of(age: np.ndarray) -> np.ndarray:
    return np.searchsorted(np.array([lo for lo, _ in BAND_AGES[1:]]), age, side="right")


def _new_ages(band: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    lo = np.array([b[0] for b in BAND_AGES])[band]
    hi = np.array([b[1] for b in BAND_AGES])[band]
    age = rng.integers(lo, hi + 1)
    old = band == len(BAND_AGES) - 1
    age[old] = np.minimum(65 + rng.gamma(OLD_SHAPE, OLD_SCALE, int(old.sum())).astype(np.int64), hi[old])
    return age


class _People:
    """Growable per-person state of the simulation."""

    def __init__(self, cap: int) -> None:
        self.n = 0
        self.birth = np.zeros(cap, np.int64)
        self.wijk = np.zeros(cap, np.int64)
        self.active = np.zeros(cap, bool)
        self.gone = np.zeros(cap, bool)  # died: never returns
        self.cats = np.zeros((cap, len(WMO_CARE_TYPES)), bool)
        self.row = np.full(cap, -1, np.int64)  # the person's client-year row of the year before (-1: none)

    def add(self, birth: np.ndarray, wijk: np.ndarray, cats: np.ndarray) -> None:
        m = len(birth)
        if self.n + m > len(self.birth):
            grow = max(len(self.birth), m)
            for name in ("birth", "wijk", "active", "gone", "cats", "row"):
                old = getattr(self, name)
                pad = np.full((grow, *old.shape[1:]), -1 if name == "row" else 0, old.dtype)
                setattr(self, name, np.concatenate([old, pad]))
        s = slice(self.n, self.n + m)
        self.birth[s], self.wijk[s], self.cats[s], self.active[s], self.row[s] = birth, wijk, cats, True, -1
        self.n += m


def _stock_without_old_adaptations(p: _People, weights: np.ndarray, rng: np.random.Generator) -> None:
    """The clients of the first year are mostly clients from before it (PRIOR_SHARE): a one-off woningaanpassing
    of an earlier year is not in the register, so a share PRIOR_SHARE of the first year's adaptations is taken
    away (a client whose only provision it was gets another category by weight). Without this the first year
    held about three times the adaptations of every later year, a jump the forecasts then chase."""
    idx = np.flatnonzero(p.active[: p.n] & p.cats[: p.n, ADAPTATION])
    old = idx[rng.random(len(idx)) < PRIOR_SHARE]
    p.cats[old, ADAPTATION] = False
    alone = old[~p.cats[old].any(axis=1)]
    if len(alone):
        keys = np.log(np.maximum(weights, 1e-12)) + rng.gumbel(size=(len(alone), len(weights)))
        keys[:, ADAPTATION] = -np.inf
        p.cats[alone, np.argmax(keys, axis=1)] = True


def _client_years(target: np.ndarray, mix: np.ndarray, span: list[int], weights: np.ndarray,
                  rng: np.random.Generator) -> dict[str, np.ndarray]:
    """One row per client and year: person, year index, wijk, held categories, the row of the year before."""
    n_w, n_b = target.shape[0], len(AGE_BANDS)
    movable = np.flatnonzero(np.arange(n_w) < n_w - 1)  # the last node is "no known wijk": nobody moves there
    p = _People(int(target[:, 0].sum() * 1.5) + 16)
    out: dict[str, list[np.ndarray]] = {"person": [], "year": [], "wijk": [], "cats": [], "prev": []}
    rows_so_far = 0
    for j, y in enumerate(span):
        n = p.n
        was = p.row[:n] >= 0  # a client the year before
        act = p.active[:n]
        age = y - p.birth[:n]
        dies = ~p.gone[:n] & (rng.random(n) < _death_rate(age))  # also those out of care: they may not return
        p.gone[:n] |= dies
        act &= ~dies & (rng.random(n) >= STOP)
        move = act & (rng.random(n) < MOVE) & (p.wijk[:n] < n_w - 1)
        if move.any():
            w_target = target[movable, j].astype(float) + 1e-9
            p.wijk[:n][move] = rng.choice(movable, int(move.sum()), p=w_target / w_target.sum())
            p.row[:n][move] = -1  # a move starts new provisions in the new wijk
        held = p.cats[:n]  # a carried-over client: drop the one-off, drop or add categories
        held[:, ADAPTATION] = False
        held &= rng.random(held.shape) >= DROP
        add = act & ((rng.random(n) < ADD) | ~held.any(axis=1)) & (held.sum(axis=1) < 3)
        if add.any():
            keys = np.log(np.maximum(weights, 1e-12)) + rng.gumbel(size=(int(add.sum()), len(weights)))
            keys[held[add]] = -np.inf
            held[np.flatnonzero(add), np.argmax(keys, axis=1)] = True
        idx = np.flatnonzero(act)
        count = np.bincount(p.wijk[idx], minlength=n_w)
        excess = count - target[:, j]
        if (excess > 0).any():
            drop = idx[_rank_within(p.wijk[idx], rng) < excess[p.wijk[idx]]]
            act[drop] = False
            count = np.bincount(p.wijk[np.flatnonzero(act)], minlength=n_w)
        need = np.maximum(target[:, j] - count, 0)
        pool = np.flatnonzero(~act & ~was & ~p.gone[:n])
        if len(pool) and need.any():
            back = pool[_rank_within(p.wijk[pool], rng) < np.rint(RETURN_SHARE * need[p.wijk[pool]])]
            act[back] = True
            p.cats[back] = _draw_categories(len(back), weights, rng)
            need -= np.bincount(p.wijk[back], minlength=n_w)
        # new clients: age bands that are short of the wijk's mix first
        act_idx = np.flatnonzero(act)
        current = np.bincount(p.wijk[act_idx] * n_b + _band_of(y - p.birth[act_idx]),
                              minlength=n_w * n_b).reshape(n_w, n_b)
        gap = np.maximum(target[:, j, None] * mix[:, j] - current, 0) + 1e-3 * mix[:, j]
        cum = np.cumsum(gap / gap.sum(axis=1, keepdims=True), axis=1)
        new_wijk = np.repeat(np.arange(n_w), need)
        band = np.minimum((rng.random(len(new_wijk))[:, None] > cum[new_wijk]).sum(axis=1), n_b - 1)
        p.add(y - _new_ages(band, rng), new_wijk, _draw_categories(len(new_wijk), weights, rng))
        if j == 0:
            _stock_without_old_adaptations(p, weights, rng)
        idx = np.flatnonzero(p.active[: p.n])
        out["person"].append(idx)
        out["year"].append(np.full(len(idx), j))
        out["wijk"].append(p.wijk[idx].copy())
        out["cats"].append(p.cats[idx].copy())
        out["prev"].append(p.row[idx].copy())
        p.row[: p.n] = -1  # not a client this year: nothing to continue into the next
        p.row[idx] = rows_so_far + np.arange(len(idx))
        rows_so_far += len(idx)
    rows = {k: np.concatenate(v) if k != "cats" else np.vstack(v) for k, v in out.items()}
    return {**rows, "birth": p.birth[: p.n].copy()}


def _provisions(cy: dict[str, np.ndarray], span: list[int], rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Provision-years (one per client-year and held category), then joined into provisions (see module doc).
    Days are counted from 1 January of the first year; `start` may lie before it (provisions of the first year
    that began earlier)."""
    n_rows, n_c = cy["cats"].shape
    prev = cy["prev"]
    has_prev = prev >= 0
    same = np.zeros((n_rows, n_c), bool)
    same[has_prev] = cy["cats"][prev[has_prev]] & (cy["wijk"][prev[has_prev]] == cy["wijk"][has_prev])[:, None]
    cont_prev = same & cy["cats"]
    cont_prev[:, ADAPTATION] = False
    cont_next = np.zeros_like(cont_prev)
    cont_next[prev[has_prev]] = cont_prev[has_prev]
    row, cat = np.nonzero(cy["cats"])
    cp, cn = cont_prev[row, cat], cont_next[row, cat]
    j = cy["year"][row]
    year_start = np.array([(np.datetime64(f"{y}-01-01") - np.datetime64(f"{span[0]}-01-01")).astype(int)
                           for y in [*span, span[-1] + 1]])
    length = np.diff(year_start)[j]
    first = year_start[j]
    one_off = cat == ADAPTATION
    prior = (j == 0) & ~one_off & (rng.random(len(row)) < PRIOR_SHARE)  # began before the first year
    start = first + np.where(cp | prior, 0, (rng.random(len(row)) * length).astype(np.int64))
    last_year = j == len(span) - 1
    year_end = first + length - 1
    ongoing = ~cn & last_year & ~one_off & (rng.random(len(row)) < ONGOING)
    free_end = np.where(one_off, np.minimum(start + rng.integers(0, ADAPTATION_DAYS, len(row)), year_end),
                        start + (rng.random(len(row)) * (year_end - start + 1)).astype(np.int64))
    end = np.where(cn | ongoing, year_end, free_end)
    days = (end - start + 1).astype(float)
    start = np.where(prior, -rng.integers(1, PRIOR_YEARS * 365, len(row)), start)
    return {"row": row, "cat": cat, "year": j, "start": start, "end": end, "days": days,
            "all_days": (end - start + 1).astype(float), "ongoing": ongoing, "new": ~cp}


def generate_wmo_register(
    panel_frame: pl.DataFrame,
    gemeente: str,
    years: list[int] | None = None,
    providers: list[str] | None = None,
    *,
    scale: float = 1.0,
    seed: int | None = None,
    band_rates: np.ndarray | None = None,
    prices_path: Path = CONFIG_DIR / "prices.toml",
    domain_path: Path = CONFIG_DIR / "domains" / "wmo.toml",
) -> pl.DataFrame:
    """A SYNTHETIC Wmo register (a row per provision) of `gemeente` over every year from the first to the last
    of `years` (default DEMO_YEARS), from the Wmo view of the panel (see the module doc). `band_rates`: Wmo use
    per inhabitant of each AGE_BANDS band (default: `age_band_rates` of the panel)."""
    from ethics.synthetic import UNLISTED_PROVIDER, UNLISTED_SHARE, _by_type

    rng = np.random.default_rng(seed if seed is not None else int.from_bytes(os.urandom(16), "little"))
    span = list(range(min(years or DEMO_YEARS), max(years or DEMO_YEARS) + 1))
    targets = wijk_targets(panel_frame, gemeente, span, scale)
    codes = targets["wijk_code"].unique(maintain_order=True).to_list()
    target = targets["children"].to_numpy().reshape(len(codes), len(span))
    rates = age_band_rates(panel_frame) if band_rates is None else np.asarray(band_rates, float)
    weights = _client_weights(domain_path)
    cy = _client_years(target, _band_mix(panel_frame, gemeente, codes, span, rates), span, weights, rng)
    pv = _provisions(cy, span, rng)
    # euros: per year clients x price, split over categories by the Iv3 shares, per day of each category
    n_y, n_c = len(span), len(WMO_CARE_TYPES)
    clients = np.bincount(cy["year"], minlength=n_y).astype(float)
    days = np.bincount(pv["year"] * n_c + pv["cat"], weights=pv["days"], minlength=n_y * n_c).reshape(n_y, n_c)
    euros = clients[:, None] * _price(prices_path) * category_cost_shares(domain_path)[None, :]
    per_day = np.divide(euros, days, out=np.zeros_like(euros), where=days > 0)
    cost = pv["all_days"] * per_day[pv["year"], pv["cat"]]
    # one row per provision: consecutive provision-years of a client, category and wijk
    person = cy["person"][pv["row"]]
    order = np.lexsort((pv["year"], pv["cat"], person))
    starts = np.flatnonzero(pv["new"][order])
    ends = np.r_[starts[1:], len(order)] - 1
    head, tail = order[starts], order[ends]
    n = len(starts)
    by_type = _by_type(providers, WMO_CARE_TYPES, WMO_PROVIDERS)
    names = [name for c in WMO_CARE_TYPES for name in by_type[c]] + [UNLISTED_PROVIDER]
    offset = np.cumsum([0] + [len(by_type[c]) for c in WMO_CARE_TYPES])[:-1]
    count = np.array([len(by_type[c]) for c in WMO_CARE_TYPES])
    cat = pv["cat"][head]
    provider = offset[cat] + (rng.random(n) * count[cat]).astype(np.int64)
    provider[rng.random(n) < UNLISTED_SHARE] = len(names) - 1
    epoch = np.datetime64(f"{span[0]}-01-01", "D")
    ids = _ids(int(person.max()) + 1 if n else 0)
    shuffle = rng.permutation(n)
    head, tail, cat, provider = head[shuffle], tail[shuffle], cat[shuffle], provider[shuffle]
    total = np.add.reduceat(cost[order], starts)[shuffle] if n else np.zeros(0)
    factor = rng.lognormal(-COST_SIGMA**2 / 2, COST_SIGMA, n)
    return pl.DataFrame(
        {
            "client_id": ids[person[head]],
            "birth_year": cy["birth"][person[head]],
            "wijk_code": pl.Series(codes, dtype=pl.String).gather(cy["wijk"][pv["row"][head]]),
            "care_type": pl.Series(WMO_CARE_TYPES, dtype=pl.String).gather(cat),
            "provider": pl.Series(names, dtype=pl.String).gather(provider),
            "start_date": epoch + pv["start"][head].astype("timedelta64[D]"),
            "end_date": epoch + pv["end"][tail].astype("timedelta64[D]"),
            "ongoing": pv["ongoing"][tail],
            "cost_eur": np.round(total * factor, 2),
        }
    ).with_columns(
        client_id=pl.lit("SYN-") + pl.col("client_id").cast(pl.String),
        end_date=pl.when(pl.col("ongoing")).then(None).otherwise(pl.col("end_date")),
        synthetic=pl.lit(True),
    ).drop("ongoing").select(*COLUMNS)

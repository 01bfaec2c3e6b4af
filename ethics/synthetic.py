"""SYNTHETIC youth-care register for demos, tests and benchmarks, calibrated to a gemeente's real CBS figures.

Nothing here describes a real child. Every row has `synthetic = true`, files are named *-SYNTHETIC*, client
ids are fresh random values from the operating system (each register is a new set of synthetic children),
and providers are fictional names ending in "(SYNTHETIC)". Calibration (panel rows of `year`, default 2022):
- children per wijk and age band (0-3, 4-11, 12-17, 18-22) from the wijk rows (youth_care_clients_0_3 ...
  _18_22). CBS shows true values 0..7 as secret: a secret band is filled from the wijk total minus the known
  bands (or, when no band is secret, the rounding difference) shared by the gemeente's band mix; a wijk
  whose total is secret gets FILL_SECRET (3) children when it has youths; when every band of the gemeente
  is secret, the bands share equally. Children of the gemeente total
  that no wijk holds get an empty wijk_code (no known address).
- care types from the gemeente's "Indicatoren jeugdzorg": residential care for pct_youth_jeugdhulp_residential
  % of children; protection and probation in the ratio pct_youth_protection / pct_youth_jeugdhulp and
  pct_youth_probation / pct_youth_jeugdhulp (probation from age 12); missing values take the NL value.
- trajectories per child so that trajectories per client match the wijk's youth_care_trajectories; children
  with 3 or more trajectories follow a stepped-care sequence (ambulatory first, then heavier care).
- a year without these mix figures (KWB 2024 has only the total count) takes them from the latest earlier
  year that has them (2022), counts scaled by the region's ratio of totals (`_calibration_rows`).
- cost = price per client and year from configs/prices.toml (per care type when [prices.<care_type>] exists,
  else all_care_types) x the trajectory's share of the child's days in care x a lognormal factor (mean 1),
  so the cost per client averages the configured price.
- providers: the given list (the run's public provider list; default the fictional PROVIDERS), shared over
  the care types round-robin; about 3% of trajectories name a provider outside the list (UNLISTED_PROVIDER),
  which the gate counts under "other".
- years: one register per listed year (calibrated to the panel rows of that year, or of the nearest year
  the panel has), joined into one: about half the children of a year are children of the year before (same
  id, possibly another wijk), and the open trajectories of every year but the last run into the next year.
  Only the last year's open trajectories are ongoing (empty end_date).
"""

from __future__ import annotations

import os
import tomllib
from datetime import date
from pathlib import Path

import numpy as np
import polars as pl

from ethics._records_schema import CARE_TYPES
from ethics.errors import ConfigError
from ethics.policy import CONFIG_DIR

__all__ = ["demo_providers", "generate_register", "write_register", "synthetic_path", "FILL_SECRET", "PROVIDERS",
           "UNLISTED_PROVIDER"]

FILL_SECRET = 3
BANDS = (("0_3", 0, 3), ("4_11", 4, 11), ("12_17", 12, 17), ("18_22", 18, 22))
PROVIDERS = {
    "jeugdhulp_zonder_verblijf": (
        "Jeugdpraktijk Duinzicht (SYNTHETIC)",
        "Wijkteam Jeugd Oost (SYNTHETIC)",
        "Gezinscoaching Haven (SYNTHETIC)",
        "Kinderpsychologen Lindeboom (SYNTHETIC)",
    ),
    "jeugdhulp_met_verblijf": ("Behandelcentrum De Horizon (SYNTHETIC)", "Gezinshuis Het Anker (SYNTHETIC)"),
    "jeugdbescherming": ("Gecertificeerde Instelling Kustregio (SYNTHETIC)",),
    "jeugdreclassering": (
        "Gecertificeerde Instelling Kustregio (SYNTHETIC)",
        "Jeugdreclassering Zuid (SYNTHETIC)",
    ),
}
UNLISTED_PROVIDER = "Niet-gecontracteerde aanbieder (SYNTHETIC)"
UNLISTED_SHARE = 0.03
RETURNING_SHARE = 0.5
REFERRERS = (
    "municipal_access",
    "gp",
    "youth_doctor",
    "certified_institution",
    "medical_specialist",
    "court",
    "none",
)


def synthetic_path(path: Path) -> Path:
    """`path` with -SYNTHETIC before the suffix unless the name already says synthetic."""
    return path if "synthetic" in path.name.lower() else path.with_name(f"{path.stem}-SYNTHETIC{path.suffix}")


def _prices(path: Path) -> dict[str, float]:
    raw = tomllib.loads(path.read_text(encoding="utf-8")).get("prices", {})
    default = raw.get("all_care_types", {}).get("eur_per_client_year")
    if default is None:
        raise ConfigError(f"{path} has no [prices.all_care_types] eur_per_client_year.")
    return {t: float(raw.get(t, {}).get("eur_per_client_year", default)) for t in CARE_TYPES}


def _share_counts(total: int, weights: np.ndarray) -> np.ndarray:
    """Split `total` over weights in whole numbers (largest remainder)."""
    if total <= 0 or weights.sum() <= 0:
        return np.zeros(len(weights), dtype=np.int64)
    exact = total * weights / weights.sum()
    out = np.floor(exact).astype(np.int64)
    out[np.argsort(-(exact - out))[: total - out.sum()]] += 1
    return out


def _children_per_band(wijken: pl.DataFrame, gem: dict, scale: float) -> tuple[list[str | None], np.ndarray]:
    """Rows: wijk codes (None = no known address); columns: children per age band."""
    mix = np.array([gem[f"youth_care_clients_{b}"] or 0 for b, _, _ in BANDS], dtype=float)
    if mix.sum() <= 0:  # every band of the gemeente secret (a very small gemeente): equal shares
        mix = np.ones(len(BANDS))
    codes, counts = [], []
    for row in wijken.iter_rows(named=True):
        known = np.array([row[f"youth_care_clients_{b}"] or 0 for b, _, _ in BANDS], dtype=np.int64)
        missing = np.array([row[f"youth_care_clients_{b}"] is None for b, _, _ in BANDS])
        total = row["youth_care_clients"]
        if total is None:
            total = FILL_SECRET if (row["youth_0_22_est"] or 0) > 0 else 0
        weights = mix * missing if missing.any() else mix  # CBS rounds bands and totals separately
        band = known + _share_counts(int(total) - int(known.sum()), weights)
        codes.append(row["region_code"])
        counts.append(band)
    rest = int(gem["youth_care_clients"] or 0) - int(np.sum(counts))
    codes.append(None)
    counts.append(_share_counts(rest, mix))
    return codes, np.rint(np.array(counts) * scale).astype(np.int64)


def _children(wijken: pl.DataFrame, gem: dict, year: int, scale: float, rng: np.random.Generator) -> dict:
    codes, counts = _children_per_band(wijken, gem, scale)
    per_wijk = counts.sum(axis=1)
    wijk_index = np.repeat(np.arange(len(codes)), per_wijk)
    band = np.concatenate([np.repeat(np.arange(4), c) for c in counts]) if len(codes) else np.zeros(0, int)
    lo, hi = np.array([b[1] for b in BANDS]), np.array([b[2] for b in BANDS])
    age = rng.integers(lo[band], hi[band] + 1)
    ratio = [
        (r["youth_care_trajectories"] or 0) / r["youth_care_clients"] if r["youth_care_clients"] else None
        for r in wijken.iter_rows(named=True)
    ]
    fallback = (gem["youth_care_trajectories"] or 0) / max(gem["youth_care_clients"] or 1, 1) or 1.6
    ratio = np.array([max(r or fallback, 1.0) for r in ratio] + [fallback])
    return {
        "codes": codes,
        "wijk": wijk_index,
        "age": age,
        "birth_year": year - age,
        "traj_ratio": ratio[wijk_index],
    }


def _care_types(gem: dict, nl: dict, age: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    def pct(name: str) -> float:
        return float(gem.get(name) if gem.get(name) is not None else nl[name])

    n = len(age)
    older = max(float(np.mean(age >= 12)), 1e-9) if n else 1.0
    has = np.zeros((n, 4), dtype=bool)
    has[:, 1] = rng.random(n) < pct("pct_youth_jeugdhulp_residential") / 100
    has[:, 2] = rng.random(n) < pct("pct_youth_protection") / pct("pct_youth_jeugdhulp")
    has[:, 3] = (age >= 12) & (
        rng.random(n) < pct("pct_youth_probation") / pct("pct_youth_jeugdhulp") / older
    )
    has[:, 0] = ~has[:, 1:].any(axis=1) | (rng.random(n) < 0.6)
    return has


def _trajectories(kids: dict, has: np.ndarray, rng: np.random.Generator) -> dict:
    n_types = has.sum(axis=1)
    extra = rng.poisson(np.maximum(kids["traj_ratio"] - n_types, 0.05))
    n_traj = n_types + extra
    child = np.repeat(np.arange(len(n_types)), n_traj)
    pos = np.arange(len(child)) - np.repeat(np.cumsum(n_traj) - n_traj, n_traj)
    ordered = np.sort(np.where(has, np.arange(4), 9), axis=1)  # escalation order: lightest care first
    type_idx = ordered[child, np.maximum(pos - extra[child], 0)]
    day = rng.integers(0, 365, size=len(child))
    order = np.lexsort((day, child))
    day = day[order]
    last = np.r_[child[1:] != child[:-1], True]
    next_day = np.r_[day[1:], 364]
    end = np.where(last, rng.integers(day, 365), np.maximum(next_day - 1, day))
    ongoing = last & (rng.random(len(child)) < 0.4)
    return {"child": child, "type": type_idx, "start": day, "end": end, "ongoing": ongoing}


MIX_COUNTS = (
    *(f"youth_care_clients_{b}" for b, _, _ in BANDS),
    "youth_care_trajectories",
    *(f"trajectories_referrer_{r}" for r in REFERRERS),
)
MIX_PCTS = ("pct_youth_jeugdhulp", "pct_youth_jeugdhulp_residential", "pct_youth_protection", "pct_youth_probation")


def _calibration_rows(panel: pl.DataFrame, year: int) -> pl.DataFrame:
    """The rows of `year`; mix columns that `year` lacks entirely come from the latest earlier year with them.

    Counts (age bands, trajectories, referrers) are scaled by the region's youth-care total of `year` over
    that of the earlier year; percentages are taken as they are. Regions without an earlier row keep nulls.
    """
    rows = panel.filter(pl.col("year") == year)
    lacking = [c for c in (*MIX_COUNTS, *MIX_PCTS) if c in rows.columns and rows[c].is_null().all()]
    earlier = (
        panel.filter(pl.col("year") < year, pl.any_horizontal(pl.col(c).is_not_null() for c in lacking))
        if lacking
        else panel.clear()
    )
    if earlier.is_empty():
        return rows
    prev = earlier.filter(pl.col("year") == earlier["year"].max()).select(
        "region_code",
        pl.col("youth_care_clients").alias("_total_prev"),
        *[pl.col(c).alias(f"_prev_{c}") for c in lacking],
    )
    ratio = pl.col("youth_care_clients") / pl.col("_total_prev")
    fills = [
        (pl.col(f"_prev_{c}") * ratio).round(0).alias(c) if c in MIX_COUNTS else pl.col(f"_prev_{c}").alias(c)
        for c in lacking
    ]
    return rows.join(prev, on="region_code", how="left").with_columns(fills).select(rows.columns)


def _by_type(providers: list[str] | None, care_types: tuple[str, ...] = CARE_TYPES,
             defaults: dict[str, tuple[str, ...]] = PROVIDERS) -> dict[str, tuple[str, ...]]:
    """Providers per care type: the fictional defaults, or the given list shared round-robin."""
    if not providers:
        return defaults
    names = list(dict.fromkeys(providers))
    return {c: tuple(names[i::len(care_types)] or names) for i, c in enumerate(care_types)}


def _calibration_year(panel: pl.DataFrame, gemeente: str, year: int) -> int:
    """`year` when its calibration rows (`_calibration_rows`) hold the gemeente's youth-care total and the
    national care-type shares; else the latest earlier year that does, else the earliest later one (else
    `year`, which then fails with a ConfigError)."""
    years = sorted(set(panel["year"].to_list()))
    order = [year] + [y for y in reversed(years) if y < year] + [y for y in years if y > year]
    for candidate in order:
        rows = _calibration_rows(panel, candidate)
        gem = rows.filter(pl.col("region_code") == gemeente, pl.col("youth_care_clients").is_not_null())
        land = rows.filter(pl.col("level") == "land", pl.col("pct_youth_jeugdhulp").is_not_null())
        if not gem.is_empty() and not land.is_empty():
            return candidate
    return year


def demo_providers(domain: str = "jeugd") -> list[str]:
    """The fictional providers of a domain's SYNTHETIC register: the public provider list of a demo run."""
    if domain == "wmo":
        from ethics._synthetic_wmo import WMO_PROVIDERS as by_type
    else:
        by_type = PROVIDERS
    return list(dict.fromkeys(name for names in by_type.values() for name in names))


def generate_register(
    panel: pl.DataFrame,
    gemeente: str,
    year: int = 2022,
    scale: float = 1.0,
    seed: int | None = None,
    prices_path: Path = CONFIG_DIR / "prices.toml",
    *,
    years: list[int] | None = None,
    providers: list[str] | None = None,
    domain: str = "jeugd",
) -> pl.DataFrame:
    """A SYNTHETIC register (a row per trajectory) for `gemeente`: over `years` when given (each calibrated to
    its own panel rows, or the nearest year's), else the one year `year`. `domain="wmo"`: a Wmo register (a row
    per provision, `ethics._synthetic_wmo`) from the Wmo view of the panel (`toolkit.domains`)."""
    if domain == "wmo":
        from ethics._synthetic_wmo import generate_wmo_register

        return generate_wmo_register(panel, gemeente, years or [year], providers, scale=scale, seed=seed,
                                     prices_path=prices_path)
    if domain != "jeugd":
        raise ConfigError(f"Unknown domain {domain!r} for a synthetic register. Use one of: jeugd, wmo.")
    rng = np.random.default_rng(seed if seed is not None else int.from_bytes(os.urandom(16), "little"))
    span = sorted(set(years)) if years else [year]
    by_type, prices = _by_type(providers), _prices(prices_path)
    if len(span) > 1:  # children who age, move, start, stop and return (ethics._synthetic_history)
        from ethics._synthetic_history import generate_history

        return generate_history(panel, gemeente, span, scale=scale, rng=rng, prices=prices, by_type=by_type,
                                providers_other=UNLISTED_PROVIDER, unlisted_share=UNLISTED_SHARE,
                                referrers=REFERRERS)
    frames = []
    for i, y in enumerate(span):
        frame = _one_year(panel, gemeente, y, _calibration_year(panel, gemeente, y), scale, rng, prices, by_type)
        if i + 1 < len(span):  # open trajectories run into the next year
            frame = frame.with_columns(
                end_date=pl.coalesce(
                    pl.col("end_date"),
                    pl.lit(date(y + 1, 1, 1)) + pl.duration(days=pl.Series(rng.integers(0, 365, frame.height))),
                )
            )
        if frames:
            frame = _returning(frames[-1], frame, rng)
        frames.append(frame)
    return pl.concat(frames)


def _returning(before: pl.DataFrame, frame: pl.DataFrame, rng: np.random.Generator) -> pl.DataFrame:
    """Give about RETURNING_SHARE of this year's children the id of a child of the year before."""
    old, new = before["client_id"].unique().to_numpy(), frame["client_id"].unique().to_numpy()
    n = min(int(RETURNING_SHARE * len(new)), len(old))
    mapping = dict(zip(rng.choice(new, n, replace=False).tolist(), rng.choice(old, n, replace=False).tolist(),
                       strict=True))
    return frame.with_columns(pl.col("client_id").replace(mapping))


def _one_year(
    panel: pl.DataFrame,
    gemeente: str,
    year: int,
    calibration: int,
    scale: float,
    rng: np.random.Generator,
    prices: dict[str, float],
    by_type: dict[str, tuple[str, ...]],
) -> pl.DataFrame:
    rows = _calibration_rows(panel, calibration)
    gem_rows = rows.filter(pl.col("region_code") == gemeente).to_dicts()
    if not gem_rows:
        raise ConfigError(
            f"Gemeente {gemeente} has no CBS row for {calibration}; pick a code from "
            "`wijksignaal data info --gemeenten`."
        )
    nl = rows.filter(pl.col("level") == "land").to_dicts()[0]
    wijken = rows.filter(pl.col("level") == "wijk", pl.col("gemeente_code") == gemeente).sort("region_code")
    kids = _children(wijken, gem_rows[0], year, scale, rng)
    has = _care_types(gem_rows[0], nl, kids["age"], rng)
    t = _trajectories(kids, has, rng)
    return _frame(kids, t, prices, gem_rows[0], year, rng, by_type)


def _frame(
    kids: dict,
    t: dict,
    prices: dict[str, float],
    gem: dict,
    year: int,
    rng: np.random.Generator,
    by_type: dict[str, tuple[str, ...]],
) -> pl.DataFrame:
    n, child = len(t["child"]), t["child"]
    ids = np.frombuffer(os.urandom(8 * len(kids["age"]) + 8), dtype=np.uint64)[: len(kids["age"])]
    names = [name for c in CARE_TYPES for name in by_type[c]] + [UNLISTED_PROVIDER]
    first = np.cumsum([0] + [len(by_type[c]) for c in CARE_TYPES])[:-1]
    count = np.array([len(by_type[c]) for c in CARE_TYPES])
    provider = first[t["type"]] + (rng.random(n) * count[t["type"]]).astype(np.int64)
    provider[rng.random(n) < UNLISTED_SHARE] = len(names) - 1
    days = (np.where(t["ongoing"], 364, t["end"]) - t["start"] + 1).astype(float)
    share = days / np.bincount(child, weights=days, minlength=len(kids["age"]))[child]  # of the child's year
    price = np.array([prices[c] for c in CARE_TYPES])[t["type"]]
    ref_w = np.array([gem.get(f"trajectories_referrer_{r}") or 0 for r in REFERRERS], dtype=float) + 1
    jan1 = date(year, 1, 1)

    def lookup(values: list[str | None] | tuple[str, ...], idx: np.ndarray) -> pl.Series:
        return pl.Series(list(values), dtype=pl.String).gather(idx)

    return (
        pl.DataFrame(
            {
                "client_id": ids[child],
                "birth_year": kids["birth_year"][child].astype(np.int64),
                "wijk_code": lookup(kids["codes"], kids["wijk"][child]),
                "care_type": lookup(CARE_TYPES, t["type"]),
                "provider": lookup(names, provider),
                "start_date": t["start"],
                "end_date": t["end"],
                "ongoing": t["ongoing"],
                "cost_eur": np.round(price * share * rng.lognormal(-0.125, 0.5, n), 2),
                "referrer": lookup(REFERRERS, rng.choice(len(REFERRERS), n, p=ref_w / ref_w.sum())),
            }
        )
        .with_columns(
            client_id=pl.lit("SYN-") + pl.col("client_id").cast(pl.String),
            start_date=pl.lit(jan1) + pl.duration(days=pl.col("start_date")),
            end_date=pl.when(pl.col("ongoing"))
            .then(None)
            .otherwise(pl.lit(jan1) + pl.duration(days=pl.col("end_date"))),
            synthetic=pl.lit(True),
        )
        .drop("ongoing")
    )


def write_register(frame: pl.DataFrame, path: Path) -> Path:
    """Write the register as CSV (or Parquet by suffix) under a name that says SYNTHETIC; return the path."""
    if not frame["synthetic"].all():
        raise ValueError("write_register writes SYNTHETIC registers only")
    out = synthetic_path(Path(path))
    out.parent.mkdir(parents=True, exist_ok=True)
    if out.suffix.lower() == ".parquet":
        frame.write_parquet(out)
    else:
        frame.write_csv(out)
    return out

"""The privacy gate: personal records in, differentially private releases out (nothing else leaves).

Steps: read and validate (`ethics.records`) -> bound contributions and aggregate to public keys
(`ethics._aggregate`) -> charge the ledger (before any noise is drawn) -> integer geometric noise per measure
(`ethics.noise`) -> post-processing (free of privacy cost) -> CBS rule on the noisy values
(`ethics.disclosure`). Privacy unit: one child (client_id) in one reference year; pure epsilon-DP.

Keys are public, never read from the records: every wijk of the gemeente in the latest CBS year
(`Panel.wijk_keys`) plus the gemeente, the four care types plus "all", the years the run states (`years`:
the register's declared span up to the reference year; ongoing trajectories are cut at the end of the
reference year) and the municipality's public provider list (`providers`, its contracted providers) plus
"other" for every other or empty provider. Children without a known wijk form a "not in a wijk" node that
counts in the gemeente total only. So the released key set is the same whoever is in the register.

Measures in `Releases.table` (long format: region_code, level, year, care_type, measure, value, status,
epsilon, accuracy_95, provider, synthetic), for consumers such as profiles and forecasts:
- `clients`: children in care; care_type "all" and each care type; per wijk and gemeente.
- `trajectories`, `cost_eur`: per care type; "all" is the sum of the types; per wijk and gemeente.
- `stepped_care_clients`: children with 3 or more trajectories in the year ("regie op drie"); care_type "all";
  stepped-care share of a wijk = stepped_care_clients / clients (both care_type "all").
- `cost_per_client_eur`: gemeente level, per care type and "all" (cost_eur / clients, after rounding).
- `provider_clients`, `provider_cost_eur`, `provider_cost_per_client_eur`: gemeente level, care_type "all",
  one row per provider (column `provider`).
Gemeente totals: the sum of the noisy nodes, or, for measures with a policy `gemeente_share` (by default
clients per care type 1/3 and cost_eur 1/2), the inverse-variance combination of that sum with a direct
release of the total that spends the share of the measure's epsilon (much more exact for per-care-type
totals and cost per client; the wijk cells get the rest). Post-processing: per measure, care type and year
the gemeente value is max(0, that estimate) and the node values are the closest non-negative integers that
add up to it (Euclidean projection onto the simplex, then largest remainders), so wijk values are consistent
with the gemeente total. Then counts are rounded and withheld by the CBS rule; euros follow the status of
their clients cell. `accuracy_95` is the half-width that holds with 95% probability for the noise (exact for
one cell; by convolution or simulation of the mechanism for totals; first-order for cost per client), plus
the rounding half-width for counts. Egress accepts these tables only with the `GateToken`.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from ethics import noise
from ethics._aggregate import UNASSIGNED, aggregate, check_years, encode
from ethics._records_schema import CARE_TYPES, layout_of
from ethics.disclosure import apply_cbs_rule
from ethics.errors import ConfigError
from ethics.ledger import ChargeRequest, Ledger
from ethics.policy import Policy

__all__ = ["Releases", "GateToken", "release", "MEASURES", "RELEASE_COLUMNS", "MSG_YEARS_NEEDED"]

MSG_YEARS_NEEDED = (
    "Records need the years to release, stated by you as the register's declared span up to the reference "
    "year: --years 2018-2022 (or [records] years = \"2018-2022\" in the run config). The gate never takes "
    "them from the records: the span of the records would reveal who is in them."
)

RELEASE_COLUMNS = (
    "region_code",
    "level",
    "year",
    "care_type",
    "measure",
    "value",
    "status",
    "epsilon",
    "accuracy_95",
    "provider",
    "synthetic",
)
MEASURES = (
    "clients",
    "trajectories",
    "cost_eur",
    "stepped_care_clients",
    "cost_per_client_eur",
    "provider_clients",
    "provider_cost_eur",
    "provider_cost_per_client_eur",
)
_NODE_MEASURES = {
    "clients": ("all",),
    "stepped_care_clients": ("all",),
    "clients_by_care_type": CARE_TYPES,
    "trajectories": CARE_TYPES,
    "cost_eur": CARE_TYPES,
}
_SUMMED = ("trajectories", "cost_eur")  # care_type "all" = sum of the care types
_PROCESS_KEY = secrets.token_bytes(32)


def _digest(frame: pl.DataFrame) -> str:
    rows = frame.hash_rows(seed=0).to_numpy().tobytes()
    header = repr(list(frame.schema.items())).encode()
    return hmac.new(_PROCESS_KEY, header + rows, hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class GateToken:
    """Proof, within this process, that a table left the gate unchanged (egress checks it)."""

    digest: str

    def covers(self, frame: pl.DataFrame) -> bool:
        """True when `frame` is exactly the table this token was issued for."""
        return hmac.compare_digest(self.digest, _digest(frame))


@dataclass(frozen=True)
class Releases:
    """What the gate lets out: the releases table, its egress token and the privacy section of audit.json."""

    table: pl.DataFrame
    token: GateToken
    audit: dict[str, Any] = field(default_factory=dict)


def sensitivity(measure: str, policy: Policy) -> int:
    """L1 sensitivity of a measure's whole vector of cells to one child in one year."""
    p = policy.privacy
    return {
        "clients": 1,
        "stepped_care_clients": 1,
        "clients_by_care_type": p.max_care_types_per_child,
        "trajectories": p.max_trajectories_per_child,
        "cost_eur": p.cost_clip_eur[1],
        "provider_clients": p.max_providers_per_child,
        "provider_cost_eur": p.cost_clip_eur[1],
    }[measure]


def _project(raw: np.ndarray, total: int) -> np.ndarray:
    """Closest non-negative integers to `raw` that sum to `total` (simplex projection, largest remainders)."""
    if total <= 0:
        return np.zeros(len(raw), dtype=np.int64)
    u = np.sort(raw.astype(float))[::-1]
    css = np.cumsum(u) - total
    rho = np.nonzero(u - css / np.arange(1, len(u) + 1) > 0)[0][-1]
    x = np.maximum(raw - css[rho] / (rho + 1), 0)
    out = np.floor(x).astype(np.int64)
    out[np.argsort(-(x - out), kind="stable")[: total - out.sum()]] += 1
    return out


def _grid(truth: pl.DataFrame, nodes: list[str], years: list[int], care_types: tuple[str, ...]) -> pl.DataFrame:
    keys = pl.DataFrame(
        [{"measure": m, "care_type": t} for m, types in _NODE_MEASURES.items()
         for t in (care_types if types == CARE_TYPES else types)]
    )
    grid = keys.join(pl.DataFrame({"year": years}, schema={"year": pl.Int32}), how="cross").join(
        pl.DataFrame({"node": nodes}), how="cross"
    )
    return grid.join(truth, on=["node", "year", "care_type", "measure"], how="left").with_columns(
        pl.col("true").fill_null(0)
    )


def _epsilons(measure: str, policy: Policy) -> tuple[Fraction, Fraction]:
    """(epsilon of the direct gemeente release, epsilon of the node cells) of a measure."""
    eps, share = policy.privacy.epsilon_for(measure), policy.privacy.gemeente_share_for(measure)
    return eps * share, eps * (1 - share)


def _combine(
    direct: float | None, summed: float, measure: str, n_nodes: int, policy: Policy
) -> tuple[int, float]:
    """The gemeente estimate (>= 0) and the weight of the direct release (inverse-variance weighting)."""
    eps_top, eps_nodes = _epsilons(measure, policy)
    if direct is None or eps_top == 0:
        return max(int(round(summed)), 0), 0.0
    sens = sensitivity(measure, policy)
    v_direct, v_sum = noise.variance(eps_top, sens), n_nodes * noise.variance(eps_nodes, sens)
    weight = (1 / v_direct) / (1 / v_direct + 1 / v_sum)
    return max(int(round(weight * direct + (1 - weight) * summed)), 0), weight


def _noisy_nodes(grid: pl.DataFrame, gemeente: str, policy: Policy) -> pl.DataFrame:
    """Noisy node cells (projected onto their gemeente total) and gemeente totals, per measure."""
    out = []
    n_nodes = grid["node"].n_unique()
    for (measure,), part in grid.group_by("measure", maintain_order=True):
        name, sens = str(measure), sensitivity(str(measure), policy)
        eps_top, eps_nodes = _epsilons(name, policy)
        part = part.with_columns(
            raw=pl.Series(noise.geometric_noise(part["true"].to_numpy(), eps_nodes, sens))
        )
        groups = part.group_by("year", "care_type", maintain_order=True).agg(pl.col("true").sum())
        direct = noise.geometric_noise(groups["true"].to_numpy(), eps_top, sens) if eps_top else None
        for i, ((year, care_type), cells) in enumerate(
            part.group_by("year", "care_type", maintain_order=True)
        ):
            top = None if direct is None else float(direct[i])
            total, _ = _combine(top, float(cells["raw"].sum()), name, n_nodes, policy)
            cells = cells.with_columns(value=pl.Series(_project(cells["raw"].to_numpy(), total)))
            out.append(
                cells.select(
                    "node", "measure", "year", "care_type", "value", n_types=pl.lit(1), top=pl.lit(False)
                )
            )
            out.append(
                pl.DataFrame(
                    {
                        "node": [gemeente],
                        "measure": [measure],
                        "year": [year],
                        "care_type": [care_type],
                        "value": [total],
                        "n_types": [1],
                        "top": [True],
                    },
                    schema_overrides={"year": pl.Int32},
                )
            )
    frame = pl.concat(out, how="vertical_relaxed")
    summed = (
        frame.filter(pl.col("measure").is_in(_SUMMED))
        .group_by("node", "measure", "year", "top")
        .agg(pl.col("value").sum(), pl.col("n_types").sum())
        .with_columns(care_type=pl.lit("all"))
    )
    frame = pl.concat([frame, summed.select(frame.columns)], how="vertical_relaxed")
    return frame.filter(pl.col("node") != UNASSIGNED).with_columns(n_nodes=pl.lit(n_nodes))


def _half_width(measure: str, top: bool, n_types: int, n_nodes: int, policy: Policy) -> int:
    """95% half-width of the noise of one released value (a node cell, or a gemeente total)."""
    sens = sensitivity(measure, policy)
    eps_top, eps_nodes = _epsilons(measure, policy)
    if not top:
        return noise.sum_accuracy_95(eps_nodes, sens, n_types)
    if eps_top == 0:
        return noise.sum_accuracy_95(eps_nodes, sens, n_types * n_nodes)
    _, weight = _combine(0.0, 0.0, measure, n_nodes, policy)
    return noise.combined_accuracy_95(
        [(weight, eps_top, sens, n_types), (1 - weight, eps_nodes, sens, n_types * n_nodes)]
    )


def _accuracy(frame: pl.DataFrame, policy: Policy) -> pl.DataFrame:
    half = policy.disclosure.rounding_base // 2
    keys = ["budget_measure", "top", "n_types", "n_nodes"]
    combos = frame.select(keys).unique()
    acc = [
        _half_width(m, t, k, n, policy) + (0 if m.endswith("_eur") else half)
        for m, t, k, n in combos.iter_rows()
    ]
    eps = [float(policy.privacy.epsilon_for(m)) for m, *_ in combos.iter_rows()]
    lookup = combos.with_columns(accuracy_95=pl.Series(acc, dtype=pl.Int64), epsilon=pl.Series(eps))
    return frame.join(lookup, on=keys, how="left")


def _noisy_providers(truth: pl.DataFrame, gemeente: str, policy: Policy) -> pl.DataFrame:
    out = []
    for (measure,), part in truth.group_by("measure", maintain_order=True):
        eps, sens = policy.privacy.epsilon_for(str(measure)), sensitivity(str(measure), policy)
        raw = noise.geometric_noise(part["true"].to_numpy(), eps, sens)
        out.append(part.with_columns(value=pl.Series(np.maximum(raw, 0))))
    frame = pl.concat(out) if out else truth.with_columns(value=pl.lit(0, pl.Int64))
    return frame.select(
        node=pl.lit(gemeente),
        measure="measure",
        year=pl.col("year").cast(pl.Int32),
        care_type=pl.lit("all"),
        value=pl.col("value").cast(pl.Int64),
        n_types=pl.lit(1),
        top=pl.lit(False),
        n_nodes=pl.lit(1),
        provider="provider",
    )


def _statuses(frame: pl.DataFrame, gemeente: str, small: set[str], policy: Policy) -> pl.DataFrame:
    level = pl.when(pl.col("region_code") == gemeente).then(pl.lit("gemeente")).otherwise(pl.lit("wijk"))
    frame = frame.with_columns(
        level=level,
        status=pl.when(pl.col("region_code").is_in(sorted(small)))
        .then(pl.lit("too_small"))
        .otherwise(pl.lit("ok")),
    )
    frame = apply_cbs_rule(frame, policy.disclosure)
    keys = ["region_code", "year", "care_type", "provider"]
    for euros, counts in (("cost_eur", "clients"), ("provider_cost_eur", "provider_clients")):
        follow = frame.filter(pl.col("measure") == counts).select(*keys, count_status="status")
        frame = (
            frame.join(follow, on=keys, how="left", nulls_equal=True)
            .with_columns(
                status=pl.when((pl.col("measure") == euros) & (pl.col("count_status") != "ok"))
                .then(pl.col("count_status"))
                .otherwise(pl.col("status"))
            )
            .drop("count_status")
        )
    return frame.with_columns(value=pl.when(pl.col("status") == "ok").then(pl.col("value")))


def _ratios(frame: pl.DataFrame, gemeente: str, policy: Policy) -> pl.DataFrame:
    """Cost per client (gemeente level) from the released, rounded values: post-processing."""
    keys = ["region_code", "level", "year", "care_type", "provider"]
    specs = (
        ("cost_eur", "clients", "cost_per_client_eur"),
        ("provider_cost_eur", "provider_clients", "provider_cost_per_client_eur"),
    )
    out = []
    for num, den, name in specs:
        a = frame.filter(pl.col("measure") == num, pl.col("region_code") == gemeente)
        b = frame.filter(pl.col("measure") == den).select(
            *keys, d="value", d_acc="accuracy_95", d_eps="epsilon", d_status="status"
        )
        j = a.join(b, on=keys, how="inner", nulls_equal=True)
        ok = (pl.col("status") == "ok") & (pl.col("d_status") == "ok") & (pl.col("d") > 0)
        ratio = pl.col("value") / pl.col("d")
        out.append(
            j.with_columns(
                measure=pl.lit(name),
                status=pl.when(ok).then(pl.lit("ok")).otherwise(pl.lit("secret")),
                value=pl.when(ok).then(ratio.round(0).cast(pl.Int64)),
                epsilon=pl.col("epsilon") + pl.col("d_eps"),
                accuracy_95=pl.when(ok).then(
                    ((pl.col("accuracy_95") + ratio * pl.col("d_acc")) / pl.col("d")).round(0).cast(pl.Int64)
                ),
            ).select(frame.columns)
        )
    return pl.concat([frame, *out], how="vertical_relaxed")


def release(
    records: Path,
    *,
    gemeente: str,
    wijk_keys: list[str],
    youth_population: dict[str, float],
    policy: Policy,
    ledger: Ledger,
    dataset_id: str,
    years: list[int] | None,
    providers: list[str],
    synthetic: bool = False,
    domain: str = "jeugd",
    progress: Callable[[str], None] | None = None,
) -> Releases:
    """Records file -> Releases. Charges the ledger before any noisy value exists; BudgetExhausted (exit 4)
    leaves nothing behind. `youth_population` (public CBS figures) marks regions below the policy minimum.
    `years` (the years to release, the last being the reference year) and `providers` (the public provider
    list) come from the run, never from the records; without years, valid records give ConfigError (exit 2).
    `domain` (jeugd, wmo) selects the record layout (its care types are public keys) and the ledger's budget:
    each domain has its own budget per reference year. `progress` (optional) is told each step as it starts,
    with the number of rows: counts only, never a value from the records."""
    from ethics.records import read_records

    say = progress or (lambda _step: None)
    layout = layout_of(domain)
    frame = read_records(records, policy, known_wijken=set(wijk_keys), layout=layout)
    if not years:
        raise ConfigError(MSG_YEARS_NEEDED)
    years = check_years(years)
    say(f"bounding and counting {frame.height:,} rows over {len(years)} year(s)")
    synthetic = synthetic or bool("synthetic" in frame.columns and frame["synthetic"].all())
    encoded = encode(frame, wijk_keys, ledger.sketch_key, years=years, providers=providers,
                     care_types=layout.care_types)
    del frame  # from here on only integer codes and keyed hashes of the client ids
    truth = aggregate(encoded, policy.privacy, wijk_keys)
    n_providers = len(encoded.providers) - 1
    del encoded
    say("charging the budget, adding noise and applying the CBS rule")
    eps = policy.privacy.epsilon_per_release
    requests = [ChargeRequest(dataset_id, y, eps, truth.sketches.get(y, ()), domain) for y in years]
    scope = _scope(gemeente, wijk_keys, providers, policy, domain)
    reused = {r.year: found for r in requests if (found := ledger.earlier_release(r, scope)) is not None}
    states = ledger.charge(
        [r for r in requests if r.year not in reused], policy.privacy.total_epsilon, synthetic=synthetic,
        note=f"wijksignaal gate, {gemeente}" + ("" if domain == "jeugd" else f", {domain}"),
    ) if len(reused) < len(requests) else []
    table = _with_reused(truth, gemeente, wijk_keys, [s.year for s in states], youth_population, policy, synthetic,
                         reused, ledger, states, scope, layout.care_types)
    charged = list(states)
    states = sorted([*states, *(ledger.state(r, policy.privacy.total_epsilon) for r in requests if r.year in reused)],
                    key=lambda st: st.year)
    from ethics._gate_audit import privacy_section

    audit = privacy_section(
        table,
        policy,
        states,
        gemeente=gemeente,
        n_wijken=len(wijk_keys),
        n_providers=n_providers,
        years=years,
        ledger=ledger,
        dataset_id=dataset_id,
        synthetic=synthetic,
        domain=domain,
    )
    audit["epsilon_spent_this_run"] = str(eps * len(charged))
    audit["ledger"]["reused_years"] = {
        str(y): f"released before (ledger row {seq}) on the same {layout.people}: "
                "reused, not charged or noised again"
        for y, (seq, _) in sorted(reused.items())
    }
    audit["ledger"]["charged_years"] = [st.year for st in charged]
    return Releases(table=table, token=GateToken(_digest(table)), audit=audit)


_RELEASE_SCHEMA = {"region_code": pl.String, "level": pl.String, "year": pl.Int32, "care_type": pl.String,
                   "measure": pl.String, "value": pl.Int64, "status": pl.String, "epsilon": pl.Float64,
                   "accuracy_95": pl.Int64, "provider": pl.String, "synthetic": pl.Boolean}


def _scope(gemeente: str, wijk_keys: list[str], providers: list[str], policy: Policy, domain: str = "jeugd") -> str:
    """The public keys and rules a release depends on: a stored release is reused only under the same."""
    keys = (gemeente, sorted(wijk_keys), list(providers), policy.privacy, policy.disclosure)
    text = repr(keys if domain == "jeugd" else (*keys, domain))
    return hashlib.sha256(text.encode()).hexdigest()


def _with_reused(truth: Any, gemeente: str, wijk_keys: list[str], new_years: list[int],
                 youth_population: dict[str, float], policy: Policy, synthetic: bool,
                 reused: dict[int, tuple[int, str]], ledger: Ledger, states: list[Any], scope: str,
                 care_types: tuple[str, ...] = CARE_TYPES) -> pl.DataFrame:
    """The releases of the newly charged years (stored in the ledger per year) and the stored releases of the
    years released before, in one table (see `ethics.ledger`: a year is charged and noised once)."""
    import json

    parts = []
    if new_years:
        fresh = _table(truth, gemeente, wijk_keys, new_years, youth_population, policy, synthetic, care_types)
        for st in states:
            rows = fresh.filter(pl.col("year") == st.year).to_dicts()
            ledger.store_release(int(st.ledger_row), scope, json.dumps(rows, separators=(",", ":")))
        parts.append(fresh)
    for _, rows in reused.values():
        old = pl.DataFrame(json.loads(rows), schema=_RELEASE_SCHEMA)
        parts.append(old.with_columns(synthetic=pl.lit(synthetic)))
    frame = pl.concat(parts, how="vertical_relaxed").with_columns(year=pl.col("year").cast(pl.Int32))
    return _sort(frame.select(RELEASE_COLUMNS))


def _sort(frame: pl.DataFrame) -> pl.DataFrame:
    order = {m: i for i, m in enumerate(MEASURES)}
    return frame.with_columns(value=pl.col("value").cast(pl.Int64)).sort(
        pl.col("measure").replace_strict(order, return_dtype=pl.Int32),
        "year",
        "care_type",
        pl.col("level") != "gemeente",
        "region_code",
        "provider",
        nulls_last=True,
    )


def _table(
    truth: Any,
    gemeente: str,
    wijk_keys: list[str],
    years: list[int],
    youth_population: dict[str, float],
    policy: Policy,
    synthetic: bool,
    care_types: tuple[str, ...] = CARE_TYPES,
) -> pl.DataFrame:
    nodes = _noisy_nodes(_grid(truth.nodes, [*wijk_keys, UNASSIGNED], years, care_types), gemeente, policy)
    frame = pl.concat(
        [
            nodes.with_columns(provider=pl.lit(None, pl.String)),
            _noisy_providers(truth.providers.filter(pl.col("year").is_in(years)), gemeente, policy),
        ],
        how="vertical_relaxed",
    )
    frame = _accuracy(frame.rename({"measure": "budget_measure"}), policy).with_columns(
        measure=pl.col("budget_measure").replace("clients_by_care_type", "clients"), status=pl.lit("ok")
    )
    small = {
        code
        for code, pop in youth_population.items()
        if pop is None or pop < policy.disclosure.min_youth_population
    }
    frame = _statuses(frame.rename({"node": "region_code"}), gemeente, small, policy)
    frame = frame.with_columns(synthetic=pl.lit(synthetic)).select(RELEASE_COLUMNS)
    return _sort(_ratios(frame, gemeente, policy))

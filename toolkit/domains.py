"""Care domains as data: which CBS measure a run profiles and forecasts, on which population, at which price.

One pipeline serves every domain (ARCHITECTURE.md `--domain jeugd|wmo`). The stages read the panel's generic
client slots (`youth_care_rate_pct`, `youth_care_clients`, `youth_0_22_est`, the names of the first domain);
`Domain.view` fills those slots with the domain's own measure, and `Domain.output_columns` renames the
contract columns that name the population base. For jeugd the view is the panel itself (byte-for-byte the
same outputs as before domains existed).

- jeugd: youths 0-22 with youth care in natura (CBS), per 100 youths under 23; population base youth 0-22.
- wmo: inhabitants with a Wmo maatwerkvoorziening (CBS KWB `a_wmo_t` / `p_wmo_t` 2021, `WmoClienten` /
  `WmoClientenRelatief` 2024), per 1,000 inhabitants; population base all inhabitants with the age bands
  0-14 .. 65+ (KWB has no 75+ band per wijk). CBS rounds counts to 5 and hides 0-7, as for youth care; only
  gemeenten that consented to publication have Wmo figures.

Example:
    >>> get_domain("wmo").rate_unit
    'per 1,000 inhabitants'
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import polars as pl

from ethics.errors import ConfigError
from ethics.policy import CONFIG_DIR

__all__ = ["DOMAINS", "Domain", "get_domain", "require_published"]

AGE_BANDS = ("pop_0_14", "pop_15_24", "pop_25_44", "pop_45_64", "pop_65_plus")


@dataclass(frozen=True)
class Domain:
    """One care domain: its measure, population base, care types, price and words."""

    name: str
    clients: str  # panel column: clients (CBS-rounded count)
    rate: str  # panel column: the published rate
    rate_scale: float  # published rate / rate_scale = clients per 100 of the population base (the slot's unit)
    population: str  # panel column: the population base
    rate_unit: str
    population_column: str  # profiles.csv column that holds the population base
    price_key: str  # [prices.<price_key>] in configs/prices.toml
    care_types: tuple[str, ...]
    age_bands: tuple[str, ...] = ()
    texts: dict[str, dict[str, str]] = field(default_factory=dict)
    metric_names: dict[str, str] = field(default_factory=dict)  # fairness metrics named after the population

    @property
    def is_default(self) -> bool:
        """The first domain: the panel's slots already hold its measure."""
        return self.name == "jeugd"

    def view(self, frame: pl.DataFrame) -> pl.DataFrame:
        """The panel with the generic client slots holding this domain's measure (jeugd: unchanged)."""
        if self.is_default:
            return frame
        return frame.with_columns(
            (pl.col(self.rate).cast(pl.Float64) / self.rate_scale).alias("youth_care_rate_pct"),
            pl.col(self.clients).cast(pl.Float64).alias("youth_care_clients"),
            pl.col(self.population).cast(pl.Float64).alias("youth_0_22_est"),
            pl.lit(None, dtype=pl.String).alias("youth_care_rate_method"),
        )

    def output_rates(self, table: pl.DataFrame) -> pl.DataFrame:
        """profiles.csv in this domain's units and names (jeugd: unchanged)."""
        if self.is_default:
            return table
        rates = [c for c in ("observed_rate", "expected_rate", "excess_rate", "expected_rate_gemeente",
                             "excess_rate_gemeente", "gemeente_level") if c in table.columns]
        return table.with_columns((pl.col(c) * self.rate_scale).round(1) for c in rates).rename(
            {"youth_population": self.population_column})

    def settings(self) -> dict[str, Any]:
        """configs/domains/<name>.toml: page words, register draft, audit entries, rewording (jeugd: none)."""
        return _settings(self.name)

    def page_texts(self) -> dict[str, tuple[str, str]]:
        """Page words that replace the default (youth-care) ones for this domain's run."""
        return {k: (v[0], v[1]) for k, v in self.settings().get("texts", {}).items()}

    def reword(self, text: str) -> str:
        """`text` with the default domain's words replaced by this domain's (see [reword] in its config)."""
        for old, new in self.settings().get("reword", {}).get("pairs", []):
            text = text.replace(old, new)
        return text

    def reword_priority(self, priority: pl.DataFrame) -> pl.DataFrame:
        """The priority list's reasons in this domain's words."""
        if self.is_default:
            return priority
        return priority.with_columns(pl.col(c).map_elements(self.reword, return_dtype=pl.String)
                                     for c in ("reasons_nl", "reasons_en") if c in priority.columns)

    def reword_audit(self, audit: dict[str, Any], gemeente: str) -> dict[str, Any]:
        """audit.json in this domain's words: register fields, named entries, then any leftover wording."""
        if self.is_default:
            return audit
        cfg = self.settings()
        register = cfg.get("register", {})
        words = cfg.get("register_records", {})
        used = bool((audit.get("privacy") or {}).get("records_used"))
        fill = {"{gemeente}": gemeente, "{records}": words.get("used" if used else "not_used", ""),
                "{records_method}": words.get("method", "") if used else ""}
        for f in audit.get("register", {}).get("fields", []):
            if f.get("key") in register:
                value = register[f["key"]]
                for key, text in fill.items():
                    value = value.replace(key, text)
                f["value"] = value
        for path, value in cfg.get("audit", {}).items():
            *parents, last = path.split(".")
            node: Any = audit
            for p in parents:
                node = node.get(p, {}) if isinstance(node, dict) else {}
            if isinstance(node, dict) and last in node:
                node[last] = value
        return _walk(audit, self.reword)

    def rename_fairness(self, table: pl.DataFrame, audit: dict[str, Any]) -> tuple[pl.DataFrame, dict[str, Any]]:
        """fairness.csv and its audit section with the metrics named after this domain's population (a Wmo
        run's selection rate is weighted by inhabitants, not youths); jeugd: unchanged."""
        if not self.metric_names:
            return table, audit
        names = self.metric_names

        def walk(node: Any) -> Any:
            if isinstance(node, dict):
                return {names.get(k, k): walk(v) for k, v in node.items()}
            if isinstance(node, list):
                return [walk(v) for v in node]
            return names.get(node, node) if isinstance(node, str) else node

        renamed = table.with_columns(pl.col("metric").replace(names)) if "metric" in table.columns else table
        return renamed, walk(audit)

    def text(self, key: str, lang: str) -> str:
        """A label in the run's language (nl or en)."""
        return self.texts[key][lang if lang in ("nl", "en") else "nl"]


@cache
def _settings(name: str) -> dict[str, Any]:
    path = CONFIG_DIR / "domains" / f"{name}.toml"
    if not path.exists():
        return {}
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"The domain file {path} cannot be read as TOML ({exc}).") from None


def _walk(node: Any, f: Any) -> Any:
    if isinstance(node, dict):
        return {k: _walk(v, f) for k, v in node.items()}
    if isinstance(node, list):
        return [_walk(v, f) for v in node]
    return f(node) if isinstance(node, str) else node


JEUGD = Domain(
    name="jeugd", clients="youth_care_clients", rate="youth_care_rate_pct", rate_scale=1.0,
    population="youth_0_22_est", rate_unit="% of youths under 23", population_column="youth_population",
    price_key="all_care_types",
    care_types=("jeugdhulp", "jeugdbescherming", "jeugdreclassering"),
    texts={"title": {"nl": "Jeugdzorg per wijk", "en": "Youth care per wijk"},
           "clients": {"nl": "jongeren met jeugdzorg", "en": "youths with youth care"},
           "population": {"nl": "jongeren 0-22 jaar", "en": "youths 0-22"}},
)

# CBS/GMSD Wmo statistics (Monitor Sociaal Domein Wmo): the maatwerkvoorzieningen by kind.
WMO = Domain(
    name="wmo", clients="wmo_clients", rate="wmo_clients_per_1000", rate_scale=10.0,
    population="population", rate_unit="per 1,000 inhabitants", population_column="population",
    price_key="wmo_all_provisions",
    care_types=("hulp_bij_het_huishouden", "ondersteuning_thuis", "hulpmiddelen_en_diensten",
                "verblijf_en_opvang", "woningaanpassing", "vervoersdiensten"),
    age_bands=AGE_BANDS,
    metric_names={"selection_rate_youth": "selection_rate_population"},
    texts={"title": {"nl": "Wmo-ondersteuning per wijk", "en": "Social support (Wmo) per wijk"},
           "clients": {"nl": "inwoners met een Wmo-maatwerkvoorziening",
                       "en": "inhabitants with Wmo social support"},
           "population": {"nl": "inwoners", "en": "inhabitants"}},
)

DOMAINS: dict[str, Domain] = {d.name: d for d in (JEUGD, WMO)}

MSG_UNKNOWN = "Unknown --domain {name!r}. Use one of: {names}."
MSG_NO_WMO = ("Gemeente {codes} has no published Wmo figures in {year}: CBS publishes Wmo clients per wijk only "
              "for gemeenten that consented to publication, and this one did not. wijksignaal cannot profile or "
              "forecast Wmo there from open data. What the gemeente can supply: its own Wmo register (one row "
              "per provision, from the Wmo administration; run again with --records WMO.csv --years FIRST-LAST "
              "and its figures per wijk and provision stand in, through the privacy gate), or its consent to CBS "
              "publication for the next KWB release.")


def get_domain(name: str) -> Domain:
    """The domain called `name` (a ConfigError naming the choices otherwise)."""
    try:
        return DOMAINS[name]
    except KeyError:
        raise ConfigError(MSG_UNKNOWN.format(name=name, names=", ".join(DOMAINS))) from None


def require_published(domain: Domain, frame: pl.DataFrame, gemeenten: tuple[str, ...], year: int) -> None:
    """Refuse (exit 2) when a gemeente in scope has no published figure of the domain in `year`."""
    rows = frame.filter(pl.col("year") == year, pl.col("level").is_in(["gemeente", "wijk"]),
                        pl.col(domain.clients).is_not_null() | pl.col(domain.rate).is_not_null())
    have = set(rows["gemeente_code"].to_list()) | set(
        rows.filter(pl.col("level") == "gemeente")["region_code"].to_list())
    missing = [g for g in gemeenten if g not in have]
    if missing:
        raise ConfigError(MSG_NO_WMO.format(codes=", ".join(missing), year=year))


def published_gemeenten(domain: Domain, frame: pl.DataFrame, year: int) -> tuple[str, ...]:
    """Gemeenten with a published figure of the domain in `year` (for --all)."""
    rows = frame.filter(pl.col("year") == year, pl.col("level") == "gemeente", pl.col(domain.clients).is_not_null())
    return tuple(sorted(rows["region_code"].to_list()))

"""The ethics policy: frozen, validated values loaded from TOML by one function.

Example:
    >>> policy = load_policy()
    >>> policy.disclosure.rounding_base
    5
    >>> policy.privacy.total_epsilon
    Fraction(3, 1)
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

from ethics.errors import ConfigError

__all__ = [
    "CONFIG_DIR",
    "DEFAULT_POLICY_PATH",
    "DisclosurePolicy",
    "PrivacyPolicy",
    "SPLIT_MEASURES",
    "IdentifierPolicy",
    "FairnessPolicy",
    "BLOCKING_METRICS",
    "FAIRNESS_GROUPINGS",
    "FAIRNESS_METRICS",
    "Policy",
    "load_policy",
    "parse_epsilon",
]

CONFIG_DIR = Path(__file__).resolve().parents[1] / "configs"
DEFAULT_POLICY_PATH = CONFIG_DIR / "ethics.toml"

POLICY_FILE = "the policy file"
MSG_SETTING = "The '{key}' setting in {file} {rule}. Got {got!r}."


def _require(ok: bool, key: str, rule: str, got: Any) -> None:
    if not ok:
        raise ValueError(MSG_SETTING.format(key=key, file=POLICY_FILE, rule=rule, got=got))


def parse_epsilon(value: Any, key: str = "epsilon") -> Fraction:
    """Parse an exact epsilon from a TOML string ("1/2") or integer, never a float.

    >>> parse_epsilon("1/2")
    Fraction(1, 2)
    """
    _require(isinstance(value, str | int) and not isinstance(value, bool), key,
             "must be an integer or a fraction in quotes such as \"1/2\" (floats drift)", value)
    try:
        eps = Fraction(value)
    except (ValueError, ZeroDivisionError):
        raise ValueError(MSG_SETTING.format(key=key, file=POLICY_FILE, rule="must be a fraction", got=value)) from None
    _require(0 < eps <= 10, key, "must be a number in (0, 10]", value)
    return eps


@dataclass(frozen=True, slots=True)
class DisclosurePolicy:
    """CBS-style disclosure rules for published counts and regions."""

    min_youth_population: int = 100
    rounding_base: int = 5
    secret_max: int = 7
    min_released_count: int = 10

    def __post_init__(self) -> None:
        _require(self.min_youth_population >= 0, "min_youth_population", "must be 0 or more",
                 self.min_youth_population)
        _require(self.rounding_base >= 1, "rounding_base", "must be a positive integer", self.rounding_base)
        _require(self.secret_max >= 0, "secret_max", "must be 0 or more", self.secret_max)
        _require(self.min_released_count > self.secret_max, "min_released_count",
                 "must be larger than secret_max", self.min_released_count)


#: The measures of the privacy gate that each get an explicit share of `epsilon_per_release`.
SPLIT_MEASURES = ("clients", "clients_by_care_type", "trajectories", "cost_eur", "stepped_care_clients",
                  "provider_clients", "provider_cost_eur")
DEFAULT_SPLIT: tuple[tuple[str, Fraction], ...] = (
    ("clients", Fraction(3, 10)), ("clients_by_care_type", Fraction(1, 5)), ("trajectories", Fraction(1, 10)),
    ("cost_eur", Fraction(1, 5)), ("stepped_care_clients", Fraction(1, 10)),
    ("provider_clients", Fraction(1, 20)), ("provider_cost_eur", Fraction(1, 20)),
)

#: Measures released per wijk and gemeente; a share of their epsilon may release the gemeente total directly.
NODE_MEASURES = ("clients", "clients_by_care_type", "trajectories", "cost_eur", "stepped_care_clients")
DEFAULT_GEMEENTE_SHARE: tuple[tuple[str, Fraction], ...] = (
    ("clients_by_care_type", Fraction(1, 3)), ("cost_eur", Fraction(1, 2)))


@dataclass(frozen=True, slots=True)
class PrivacyPolicy:
    """Differential-privacy settings. Unit: one child (`unit`) in one reference year; loss: epsilon (pure DP).

    `epsilon_split` gives each gate measure an exact share of `epsilon_per_release`; the shares sum to 1
    (sequential composition across measures). Contribution bounds: a child counts in one wijk per reference
    year, in at most `max_care_types_per_child` care types and `max_providers_per_child` providers, with at
    most `max_trajectories_per_child` trajectories and a yearly cost clipped to `cost_clip_eur`.
    """

    unit: str = "client_id"
    epsilon_per_release: Fraction = Fraction(1)
    total_epsilon: Fraction = Fraction(3)
    max_trajectories_per_child: int = 10
    cost_clip_eur: tuple[int, int] = (0, 250_000)
    reference_date: str = "12-31"
    max_care_types_per_child: int = 2
    max_providers_per_child: int = 2
    epsilon_split: tuple[tuple[str, Fraction], ...] = DEFAULT_SPLIT
    overlap_threshold: Fraction = Fraction(0)  # 0: strict, any shared child relates two registers
    sketch_size: int = 256
    gemeente_share: tuple[tuple[str, Fraction], ...] = DEFAULT_GEMEENTE_SHARE
    max_price_relative_sd: float = 0.1  # a released cost per client noisier than this: the public price is used

    def __post_init__(self) -> None:
        _require(isinstance(self.max_price_relative_sd, int | float) and 0 < self.max_price_relative_sd <= 1,
                 "max_price_relative_sd", "must be a number in (0, 1]", self.max_price_relative_sd)
        _require(self.unit == "client_id", "unit", "must be 'client_id' (one child)", self.unit)
        _require(0 < self.epsilon_per_release <= self.total_epsilon, "epsilon_per_release",
                 "must be positive and at most total_epsilon", str(self.epsilon_per_release))
        _require(self.max_trajectories_per_child >= 3, "max_trajectories_per_child",
                 "must be an integer of at least 3 (stepped care counts children with 3 or more)",
                 self.max_trajectories_per_child)
        lo, hi = self.cost_clip_eur
        _require(0 <= lo < hi, "cost_clip_eur", "must be [low, high] with 0 <= low < high",
                 list(self.cost_clip_eur))
        _require(_is_month_day(self.reference_date), "reference_date", "must be a month-day such as \"12-31\"",
                 self.reference_date)
        _require(1 <= self.max_care_types_per_child <= 4, "max_care_types_per_child", "must be between 1 and 4",
                 self.max_care_types_per_child)
        _require(self.max_providers_per_child >= 1, "max_providers_per_child", "must be a positive integer",
                 self.max_providers_per_child)
        self._check_split()
        for name, share in self.gemeente_share:
            _require(name in NODE_MEASURES and 0 <= share < 1, f"gemeente_share.{name}",
                     f"must name one of {', '.join(NODE_MEASURES)} with a share in [0, 1)", str(share))
        _require(0 <= self.overlap_threshold <= 1, "overlap_threshold",
                 "must be a fraction in [0, 1] (0: strict, any shared child)",
                 str(self.overlap_threshold))
        _require(self.sketch_size >= 16, "sketch_size", "must be an integer of at least 16", self.sketch_size)

    def _check_split(self) -> None:
        names = [name for name, _ in self.epsilon_split]
        _require(sorted(names) == sorted(SPLIT_MEASURES), "epsilon_split",
                 f"must give a share to exactly these measures: {', '.join(SPLIT_MEASURES)}", names)
        _require(all(share > 0 for _, share in self.epsilon_split), "epsilon_split",
                 "must give every measure a positive share", [str(s) for _, s in self.epsilon_split])
        total = sum((share for _, share in self.epsilon_split), Fraction(0))
        _require(total == 1, "epsilon_split", "must have shares that sum to exactly 1", str(total))

    def gemeente_share_for(self, measure: str) -> Fraction:
        """The part of a measure's epsilon spent on releasing the gemeente total directly (0: sum of wijken).

        >>> PrivacyPolicy().gemeente_share_for("cost_eur"), PrivacyPolicy().gemeente_share_for("clients")
        (Fraction(1, 2), Fraction(0, 1))
        """
        return dict(self.gemeente_share).get(measure, Fraction(0))

    def epsilon_for(self, measure: str) -> Fraction:
        """The exact epsilon one release spends on `measure`.

        >>> PrivacyPolicy().epsilon_for("clients")
        Fraction(3, 10)
        """
        return self.epsilon_per_release * dict(self.epsilon_split)[measure]


def _is_month_day(text: str) -> bool:
    import datetime

    try:
        datetime.date.fromisoformat(f"2023-{text}")  # not a leap year: 02-29 has no date in most years
    except (TypeError, ValueError):
        return False
    return len(text) == 5


@dataclass(frozen=True, slots=True)
class IdentifierPolicy:
    """Direct identifiers refused on input and searched for on output."""

    forbidden_columns: frozenset[str] = frozenset({"bsn"})
    check_bsn_elfproef: bool = True
    check_postcode6: bool = True
    check_dates_of_birth: bool = True

    def __post_init__(self) -> None:
        _require("bsn" in self.forbidden_columns, "forbidden_columns", "must include 'bsn'",
                 sorted(self.forbidden_columns))

    def is_forbidden(self, column: str) -> bool:
        """True when a column name names a direct identifier (case, quotes, spaces and punctuation ignored).

        The one matching rule for input headers (records, KWB files) and output tables (egress).

        >>> IdentifierPolicy(frozenset({"bsn", "date_of_birth"})).is_forbidden(' "Date of Birth" ')
        True
        """
        plain = column.strip().strip('"').strip("'").lower()
        return plain in self.forbidden_columns or re.sub(r"[^a-z0-9]", "_", plain) in self.forbidden_columns


FAIRNESS_METRICS = frozenset({"forecast_mae", "forecast_bias", "model_mae", "model_bias", "selection_rate",
                              "selection_rate_youth", "selection_given_need", "withheld_share", "accuracy_95"})
# A list meant to follow need selects unevenly wherever need differs: what blocks is selection at equal need.
BLOCKING_METRICS = frozenset({"forecast_mae", "forecast_bias", "model_mae", "model_bias", "selection_given_need"})
FAIRNESS_GROUPINGS = frozenset({"income_tercile", "migration_tercile", "urbanity_class", "size_class"})


@dataclass(frozen=True, slots=True)
class FairnessPolicy:
    """Limits for the fairness audit (see ethics/fairness.py); `on_fail` is 'flag' or 'block'.

    A group is compared with all wijken together: ratios for errors, burden and selection, the gap in
    signed bias as a share of the overall mean absolute error for bias metrics.
    """

    on_fail: str = "flag"
    max_ratio_flag: float = 1.25
    max_ratio_fail: float = 1.5
    max_bias_flag: float = 0.5
    max_bias_fail: float = 1.0
    min_group_regions: int = 5
    n_boot: int = 1000
    ci_level: float = 0.95
    bootstrap_seed: int = 20240601
    need_groupings: frozenset[str] = frozenset({"income_tercile"})
    blocking_metrics: frozenset[str] = BLOCKING_METRICS

    def __post_init__(self) -> None:
        _require(self.on_fail in ("flag", "block"), "on_fail", "must be 'flag' or 'block'", self.on_fail)
        _require(1 <= self.max_ratio_flag <= self.max_ratio_fail, "max_ratio_flag",
                 "must be at least 1 and at most max_ratio_fail", self.max_ratio_flag)
        _require(0 < self.max_bias_flag <= self.max_bias_fail, "max_bias_flag",
                 "must be positive and at most max_bias_fail", self.max_bias_flag)
        _require(self.min_group_regions >= 1, "min_group_regions", "must be a positive integer",
                 self.min_group_regions)
        _require(100 <= self.n_boot <= 100_000, "n_boot", "must be an integer from 100 to 100000",
                 self.n_boot)
        _require(0.5 <= self.ci_level < 1, "ci_level", "must be a number in [0.5, 1)", self.ci_level)
        _require(self.need_groupings <= FAIRNESS_GROUPINGS, "need_groupings",
                 f"may only name {sorted(FAIRNESS_GROUPINGS)}", sorted(self.need_groupings))
        _require(self.blocking_metrics <= FAIRNESS_METRICS, "blocking_metrics",
                 f"may only name {sorted(FAIRNESS_METRICS)}", sorted(self.blocking_metrics))


@dataclass(frozen=True, slots=True)
class Policy:
    """The whole ethics policy of a run."""

    preset: str
    disclosure: DisclosurePolicy
    privacy: PrivacyPolicy
    identifiers: IdentifierPolicy
    fairness: FairnessPolicy
    allowed_levels: frozenset[str] = frozenset({"wijk", "gemeente", "land"})
    excluded_features: frozenset[str] = frozenset()
    source: str = "<defaults>"
    sha256: str = ""

    def __post_init__(self) -> None:
        _require(self.allowed_levels <= {"wijk", "gemeente", "land"}, "allowed_levels",
                 "may only contain wijk, gemeente and land", sorted(self.allowed_levels))


def _parse_share(value: Any, key: str) -> Fraction:
    _require(isinstance(value, str | int) and not isinstance(value, bool), key,
             "must be an integer or a fraction in quotes such as \"1/5\" (floats drift)", value)
    try:
        return Fraction(value)
    except (ValueError, ZeroDivisionError):
        raise ValueError(MSG_SETTING.format(key=key, file=POLICY_FILE, rule="must be a fraction", got=value)) from None


def _build(raw: dict[str, Any]) -> Policy:
    d, p, i = raw.get("disclosure", {}), dict(raw.get("privacy", {})), raw.get("identifiers", {})
    for key in ("epsilon_per_release", "total_epsilon"):
        if key in p:
            p[key] = parse_epsilon(p[key], key)
    if "epsilon_split" in p:
        split = p["epsilon_split"].items()
        p["epsilon_split"] = tuple((str(k), _parse_share(v, f"epsilon_split.{k}")) for k, v in split)
    if "gemeente_share" in p:
        p["gemeente_share"] = tuple(
            (str(k), _parse_share(v, f"gemeente_share.{k}")) for k, v in p["gemeente_share"].items())
    if "overlap_threshold" in p:
        p["overlap_threshold"] = _parse_share(p["overlap_threshold"], "overlap_threshold")
    if "cost_clip_eur" in p:
        p["cost_clip_eur"] = tuple(p["cost_clip_eur"])
    ident = dict(i)
    if "forbidden_columns" in ident:
        ident["forbidden_columns"] = frozenset(c.lower() for c in ident["forbidden_columns"])
    return Policy(
        preset=str(raw.get("preset", "custom")),
        disclosure=DisclosurePolicy(**d),
        privacy=PrivacyPolicy(**p),
        identifiers=IdentifierPolicy(**ident),
        fairness=_fairness(raw.get("fairness", {})),
        allowed_levels=frozenset(raw.get("regions", {}).get("allowed_levels", ["wijk", "gemeente", "land"])),
        excluded_features=frozenset(raw.get("proxies", {}).get("excluded_features", [])),
    )


def _fairness(raw: dict[str, Any]) -> FairnessPolicy:
    f = dict(raw)
    for key in ("need_groupings", "blocking_metrics"):
        if key in f:
            f[key] = frozenset(f[key])
    return FairnessPolicy(**f)


def load_policy(path: Path | str | None = None) -> Policy:
    """Load and validate a policy file (default: configs/ethics.toml); refuse anything invalid."""
    import dataclasses
    import hashlib

    file = Path(path) if path is not None else DEFAULT_POLICY_PATH
    try:
        data = file.read_bytes()
        raw = tomllib.loads(data.decode("utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"Policy file {file} does not exist.") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"Policy file {file} is not valid TOML: {exc}") from None
    try:
        policy = _build(raw)
    except ValueError as exc:
        raise ConfigError(str(exc).replace(POLICY_FILE, str(file))) from None
    except TypeError as exc:
        raise ConfigError(f"Policy file {file} has an unknown setting: {exc}") from None
    return dataclasses.replace(policy, source=str(file), sha256=hashlib.sha256(data).hexdigest())

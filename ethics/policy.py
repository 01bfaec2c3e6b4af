"""The ethics policy: frozen, validated values loaded from TOML by one function.

Validation happens at the boundary, with typed models (pydantic dataclasses, strict types): every setting has
a type and a range, so `rounding_base = 2.5`, `sketch_size = 16.5`, `bootstrap_seed = -1`, `cost_clip_eur =
[0, 1e300]`, `min_youth_population = inf`, NaN, a string where a number belongs, a scalar where a table
belongs and an unknown key are refused with a `ConfigError` (exit 2) naming the file and the key. The
classes stay plain frozen dataclasses for the rest of the code (`dataclasses.replace` works and validates
again). Adding a setting: add a typed field with its default and range to the class of its section (and a
cross-field rule to `__post_init__` if it has one); a new section: add it to `PolicyFile` and `_build`.

Example:
    >>> policy = load_policy()
    >>> policy.disclosure.rounding_base
    5
    >>> policy.privacy.total_epsilon
    Fraction(3, 1)
"""

from __future__ import annotations

import bisect
import itertools
import re
import tomllib
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass as dataclass_plain
from fractions import Fraction
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, Strict, StrictBool, StrictInt, StrictStr
from pydantic import ValidationError as _ValidationError
from pydantic.dataclasses import dataclass

from ethics.errors import ConfigError, Problem

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
    "name_tokens",
    "config_problems",
    "read_config_bytes",
    "SettingError",
]

CONFIG_DIR = Path(__file__).resolve().parents[1] / "configs"
DEFAULT_POLICY_PATH = CONFIG_DIR / "ethics.toml"

POLICY_FILE = "the policy file"
MSG_SETTING = "The '{key}' setting in {file} {rule}. Got {got!r}."


class SettingError(ValueError):
    """A setting breaks its rule; knows the key (within its section), the rule and the value."""

    def __init__(self, key: str, rule: str, got: Any) -> None:
        super().__init__(MSG_SETTING.format(key=key, file=POLICY_FILE, rule=rule, got=got))
        self.key, self.rule, self.got = key, rule, got


def _require(ok: bool, key: str, rule: str, got: Any) -> None:
    if not ok:
        raise SettingError(key, rule, got)


def parse_epsilon(value: Any, key: str = "epsilon") -> Fraction:
    """Parse an exact epsilon from a TOML string ("1/2") or integer, never a float.

    >>> parse_epsilon("1/2")
    Fraction(1, 2)
    """
    eps = _parse_share(value, key)
    _require(0 < eps <= 10, key, "must be a number in (0, 10]", value)
    return eps


def _parse_share(value: Any, key: str = "share") -> Fraction:
    if isinstance(value, Fraction):
        return value
    _require(isinstance(value, str | int) and not isinstance(value, bool), key,
             "must be an integer or a fraction in quotes such as \"1/5\" (floats drift)", value)
    try:
        return Fraction(value)
    except (ValueError, ZeroDivisionError):
        raise SettingError(key, "must be a fraction", value) from None


def _as_pairs(value: Any) -> Any:
    """A TOML table {name: share} as the tuple of (name, share) pairs the policy keeps."""
    return tuple(value.items()) if isinstance(value, dict) else value


# Typed settings. Strict: a TOML float is never silently truncated to an integer, a string is never read as
# a number; floats must be finite (the config below refuses inf and NaN).
STRICT = ConfigDict(extra="forbid", allow_inf_nan=False, arbitrary_types_allowed=True)
Epsilon = Annotated[Fraction, BeforeValidator(lambda v: parse_epsilon(v, "epsilon"))]
Share = Annotated[Fraction, BeforeValidator(_parse_share)]
Shares = Annotated[tuple[tuple[StrictStr, Share], ...], BeforeValidator(_as_pairs)]
Count = Annotated[StrictInt, Field(ge=0, le=10_000_000)]
Positive = Annotated[StrictInt, Field(ge=1, le=10_000_000)]
Euros = Annotated[StrictInt, Field(ge=0, le=100_000_000)]
Ratio = Annotated[float, Strict(), Field(ge=1, le=1000)]
BiasLimit = Annotated[float, Strict(), Field(gt=0, le=1000)]
Names = frozenset[StrictStr]


@dataclass(frozen=True, slots=True, config=STRICT)
class DisclosurePolicy:
    """CBS-style disclosure rules for published counts and regions."""

    min_youth_population: Count = 100
    rounding_base: Annotated[StrictInt, Field(ge=1, le=1000)] = 5
    secret_max: Count = 7
    min_released_count: Count = 10

    def __post_init__(self) -> None:
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


@dataclass(frozen=True, slots=True, config=STRICT)
class PrivacyPolicy:
    """Differential-privacy settings. Unit: one child (`unit`) in one reference year; loss: epsilon (pure DP).

    `epsilon_split` gives each gate measure an exact share of `epsilon_per_release`; the shares sum to 1
    (sequential composition across measures). Contribution bounds: a child counts in one wijk per reference
    year, in at most `max_care_types_per_child` care types and `max_providers_per_child` providers, with at
    most `max_trajectories_per_child` trajectories and a yearly cost clipped to `cost_clip_eur`.
    """

    unit: StrictStr = "client_id"
    epsilon_per_release: Epsilon = Fraction(1)
    total_epsilon: Epsilon = Fraction(3)
    max_trajectories_per_child: Annotated[StrictInt, Field(ge=3, le=1000)] = 10
    cost_clip_eur: tuple[Euros, Euros] = (0, 250_000)
    reference_date: StrictStr = "12-31"
    max_care_types_per_child: Annotated[StrictInt, Field(ge=1, le=4)] = 2
    max_providers_per_child: Annotated[StrictInt, Field(ge=1, le=100)] = 2
    epsilon_split: Shares = DEFAULT_SPLIT
    overlap_threshold: Share = Fraction(0)  # 0: strict, any shared child relates two registers
    sketch_size: Annotated[StrictInt, Field(ge=16, le=65_536)] = 256
    gemeente_share: Shares = DEFAULT_GEMEENTE_SHARE
    # a released cost per client noisier than this (relative sd): forecast euros use the public price
    max_price_relative_sd: Annotated[float, Strict(), Field(gt=0, le=1)] = 0.1

    def __post_init__(self) -> None:
        _require(self.unit == "client_id", "unit", "must be 'client_id' (one child)", self.unit)
        _require(0 < self.epsilon_per_release <= self.total_epsilon, "epsilon_per_release",
                 "must be positive and at most total_epsilon", str(self.epsilon_per_release))
        lo, hi = self.cost_clip_eur
        _require(0 <= lo < hi, "cost_clip_eur", "must be [low, high] with 0 <= low < high",
                 list(self.cost_clip_eur))
        _require(_is_month_day(self.reference_date), "reference_date", "must be a month-day such as \"12-31\"",
                 self.reference_date)
        self._check_split()
        for name, share in self.gemeente_share:
            _require(name in NODE_MEASURES and 0 <= share < 1, f"gemeente_share.{name}",
                     f"must name one of {', '.join(NODE_MEASURES)} with a share in [0, 1)", str(share))
        _require(0 <= self.overlap_threshold <= 1, "overlap_threshold",
                 "must be a fraction in [0, 1] (0: strict, any shared child)",
                 str(self.overlap_threshold))

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


#: Identifier names also refused inside a longer name (`client_bsn`, `bsn_nummer`, `moeder_geboortedatum`).
#: Short general words (name, naam, adres, ...) match only as the whole name: `region_name` and
#: `address_density_km2` are open data.
DEFAULT_COMPOUND = frozenset({"bsn", "burgerservicenummer", "sofinummer", "geboortedatum", "date_of_birth",
                              "birth_date", "birthdate", "dateofbirth"})


def name_tokens(name: str) -> tuple[str, ...]:
    """The words of a column name: accents, case, quotes, separators and invisible characters ignored.

    Unicode format characters (zero-width space, soft hyphen, byte-order mark, ...) are dropped, so
    `B\u200bSN` is `bsn`; compatibility forms are folded (full-width `ＢＳＮ` is `bsn`); any other character
    that is not a letter or digit separates words, and so does a lower-to-upper case change (`clientBsn`).

    >>> name_tokens(' "Geboorte-Datum" '), name_tokens("B\u200bSN"), name_tokens("clientBsn")
    (('geboorte', 'datum'), ('bsn',), ('client', 'bsn'))
    >>> name_tokens("Régio naam")
    ('regio', 'naam')
    """
    if not name.isascii():
        name = "".join(ch for ch in unicodedata.normalize("NFKD", name) if unicodedata.category(ch) not in _DROP)
    return tuple(word.casefold() for word in _WORD_BREAK.split(_CAMEL.sub("_", name)) if word)


_DROP = frozenset({"Mn", "Me", "Cf"})  # accents and invisible format characters: not there
_CAMEL = re.compile(r"(?<=[a-z0-9\u00df-\u00ff])(?=[A-Z\u00c0-\u00de])")
_WORD_BREAK = re.compile(r"[\W_]+")


@dataclass(frozen=True, slots=True, config=STRICT)
class IdentifierPolicy:
    """Direct identifiers refused on input and searched for on output."""

    forbidden_columns: Names = frozenset({"bsn"})
    compound_columns: Names = DEFAULT_COMPOUND
    check_bsn_elfproef: StrictBool = True
    check_postcode6: StrictBool = True
    check_dates_of_birth: StrictBool = True

    def __post_init__(self) -> None:
        _require("bsn" in {"".join(name_tokens(c)) for c in self.forbidden_columns}, "forbidden_columns",
                 "must include 'bsn'", sorted(self.forbidden_columns))

    def is_forbidden(self, column: str) -> bool:
        """True when a column name names a direct identifier.

        The one matching rule for input headers (records, KWB files) and output tables (egress). A name is
        compared word by word (see `name_tokens`) and with its words joined (`b s n` is `bsn`). Names in
        `compound_columns` are also refused as a word sequence inside, or the start or end of, a longer name
        (`client_bsn`, `BSN-nummer`, `bsnnummer`); the long ones (8 letters or more) anywhere inside it.

        >>> ids = IdentifierPolicy(frozenset({"bsn", "date_of_birth", "naam"}))
        >>> [ids.is_forbidden(c) for c in (' "Date of Birth" ', "client_bsn", "b s n", "B\u200bSN", "bsn_nummer")]
        [True, True, True, True, True]
        >>> [ids.is_forbidden(c) for c in ("region_name", "wijknaam", "jobs_number", "client_id")]
        [False, False, False, False]
        """
        tokens = name_tokens(column)
        if not tokens:
            return False
        joined, squashed = "_".join(tokens), "".join(tokens)
        rule = _rule(self.forbidden_columns, self.compound_columns)
        return (joined in rule.whole or squashed in rule.whole or squashed.startswith(rule.ends)
                or squashed.endswith(rule.ends) or rule.inside.search(f"_{joined}_") is not None
                or (rule.anywhere is not None and rule.anywhere.search(squashed) is not None))

    def forbidden_in(self, names: Sequence[str]) -> list[str]:
        """The names of a header that `is_forbidden`, in order; linear in the header's size.

        One pass over all names together finds the few that contain a forbidden word (letters and digits
        only, lower case); only those, and names that are not plain ASCII, go through the full rule.

        >>> IdentifierPolicy().forbidden_in(["wijk", "client_bsn", "jaar", "B\u200bSN"])
        ['client_bsn', 'B\u200bSN']
        """
        rule = _rule(self.forbidden_columns, self.compound_columns)
        joined = "\n".join(names)
        if joined.count("\n") != len(names) - 1:  # a line break inside a name separates words like a space
            joined = "\n".join(n.replace("\n", " ") for n in names)
        candidates = set() if joined.isascii() else {i for i, n in enumerate(names) if not n.isascii()}
        text = joined.encode("ascii", errors="replace").lower().translate(None, _NOT_ALNUM)
        starts = list(itertools.accumulate((len(line) + 1 for line in text.split(b"\n")), initial=0))
        candidates |= {bisect.bisect_right(starts, m.start()) - 1 for m in rule.contains.finditer(text)}
        return [names[i] for i in sorted(candidates) if self.is_forbidden(names[i])]


_NOT_ALNUM = bytes(b for b in range(256) if not (chr(b).isascii() and (chr(b).isalnum() or chr(b) == "\n")))


@dataclass_plain(frozen=True)
class _Rule:
    whole: frozenset[str]  # a name that is an identifier as a whole (words joined with _ or with nothing)
    ends: tuple[str, ...]  # compound identifiers at the start or end of a longer name (clientbsn, bsnnummer)
    inside: re.Pattern[str]  # compound identifiers as whole words inside a name (client_date_of_birth_x)
    anywhere: re.Pattern[str] | None  # long compound identifiers anywhere (mijngeboortedatumveld)
    contains: re.Pattern[bytes]  # any identifier as letters and digits: every name the rule refuses matches


@lru_cache(maxsize=64)
def _rule(forbidden: frozenset[str], compound: frozenset[str]) -> _Rule:
    whole = set()
    for name in forbidden | compound:
        tokens = name_tokens(name)
        whole |= {"_".join(tokens), "".join(tokens)}
    pairs = sorted({("_".join(t), "".join(t)) for t in map(name_tokens, compound) if t})
    inside = re.compile("_(?:" + "|".join(re.escape(j) for j, _ in pairs) + ")_") if pairs else re.compile("(?!)")
    long = [q for _, q in pairs if len(q) >= 8]
    anywhere = re.compile("|".join(map(re.escape, long))) if long else None
    squashed = sorted({w for w in whole if "_" not in w}, key=len, reverse=True)
    contains = re.compile("|".join(map(re.escape, squashed)).encode() or b"(?!)")
    return _Rule(frozenset(whole - {""}), tuple(q for _, q in pairs), inside, anywhere, contains)


FAIRNESS_METRICS = frozenset({"forecast_mae", "forecast_bias", "model_mae", "model_bias", "selection_rate",
                              "selection_rate_youth", "selection_given_need", "withheld_share", "accuracy_95"})
# A list meant to follow need selects unevenly wherever need differs: what blocks is selection at equal need.
BLOCKING_METRICS = frozenset({"forecast_mae", "forecast_bias", "model_mae", "model_bias", "selection_given_need"})
FAIRNESS_GROUPINGS = frozenset({"income_tercile", "migration_tercile", "urbanity_class", "size_class"})


@dataclass(frozen=True, slots=True, config=STRICT)
class FairnessPolicy:
    """Limits for the fairness audit (see ethics/fairness.py); `on_fail` is 'flag' or 'block'.

    A group is compared with all wijken together: ratios for errors, burden and selection, the gap in
    signed bias as a share of the overall mean absolute error for bias metrics.
    """

    on_fail: Literal["flag", "block"] = "flag"
    max_ratio_flag: Ratio = 1.25
    max_ratio_fail: Ratio = 1.5
    max_bias_flag: BiasLimit = 0.5
    max_bias_fail: BiasLimit = 1.0
    min_group_regions: Positive = 5
    n_boot: Annotated[StrictInt, Field(ge=100, le=100_000)] = 1000
    ci_level: Annotated[float, Strict(), Field(ge=0.5, lt=1)] = 0.95
    bootstrap_seed: Annotated[StrictInt, Field(ge=0, le=2**63 - 1)] = 20240601
    need_groupings: Names = frozenset({"income_tercile"})
    blocking_metrics: Names = BLOCKING_METRICS

    def __post_init__(self) -> None:
        _require(self.max_ratio_flag <= self.max_ratio_fail, "max_ratio_flag",
                 "must be at least 1 and at most max_ratio_fail", self.max_ratio_flag)
        _require(self.max_bias_flag <= self.max_bias_fail, "max_bias_flag",
                 "must be positive and at most max_bias_fail", self.max_bias_flag)
        _require(self.need_groupings <= FAIRNESS_GROUPINGS, "need_groupings",
                 f"may only name {sorted(FAIRNESS_GROUPINGS)}", sorted(self.need_groupings))
        _require(self.blocking_metrics <= FAIRNESS_METRICS, "blocking_metrics",
                 f"may only name {sorted(FAIRNESS_METRICS)}", sorted(self.blocking_metrics))


LEVELS = frozenset({"wijk", "gemeente", "land"})


@dataclass(frozen=True, slots=True, config=STRICT)
class Policy:
    """The whole ethics policy of a run."""

    preset: StrictStr
    disclosure: DisclosurePolicy
    privacy: PrivacyPolicy
    identifiers: IdentifierPolicy
    fairness: FairnessPolicy
    allowed_levels: Names = LEVELS
    excluded_features: Names = frozenset()
    source: StrictStr = "<defaults>"
    sha256: StrictStr = ""

    def __post_init__(self) -> None:
        _require(self.allowed_levels <= LEVELS, "allowed_levels",
                 "may only contain wijk, gemeente and land", sorted(self.allowed_levels))


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class _Regions(_Section):
    allowed_levels: list[StrictStr] = sorted(LEVELS)


class _Proxies(_Section):
    excluded_features: list[StrictStr] = []


class PolicyFile(_Section):
    """The shape of a policy TOML: which tables exist (their settings are typed by the policy classes)."""

    preset: StrictStr = "custom"
    disclosure: dict[str, Any] = {}
    privacy: dict[str, Any] = {}
    identifiers: dict[str, Any] = {}
    regions: _Regions = _Regions()
    proxies: _Proxies = _Proxies()
    fairness: dict[str, Any] = {}


def config_problems(exc: _ValidationError, file: str, prefix: str = "", keys: dict[str, str] | None = None
                    ) -> list[Problem]:
    """One Problem per broken setting, naming the file and the TOML key (`section.key`).

    `keys` maps a field name to the key the user wrote (for a run config, `horizon_years` is
    `forecast.horizon_years`). Settings are configuration, not personal data: the value is shown, cut short.
    """
    problems = []
    for err in exc.errors():
        loc = [str(part) for part in err["loc"] if not isinstance(part, int)]
        index = "".join(f"[{part}]" for part in err["loc"] if isinstance(part, int))
        if loc and keys and loc[0] in keys:
            loc[0] = keys[loc[0]]
        cause = (err.get("ctx") or {}).get("error")
        if isinstance(cause, SettingError):
            loc = loc or [cause.key]
            rule = f"{cause.rule} (got {_short(cause.got)})"
        elif err["type"] in ("unexpected_keyword_argument", "extra_forbidden"):
            rule = "is not a known setting (check the spelling; configs/ethics.toml and configs/run.toml list all)"
        elif err["type"] == "value_error":
            rule = str(err["msg"]).removeprefix("Value error, ")
        elif err["type"] in ("path_not_file", "path_not_exists"):
            given = Path(str(err.get("input")))
            what = "is not a file (a folder?)" if given.exists() else "does not exist"
            rule = f"must name an existing file: {given} {what}"
        elif err["type"] in ("too_short", "too_long"):
            ctx = err.get("ctx") or {}
            short = err["type"] == "too_short"
            bound = f"at least {ctx.get('min_length')}" if short else f"at most {ctx.get('max_length')}"
            rule = f"must have {bound} item(s) (got {ctx.get('actual_length')})"
        elif err["type"] in ("model_type", "model_attributes_type", "dict_type"):
            rule = f"must be a table (a [section] of settings) (got {_short(err.get('input'))})"
        else:
            rule = f"{str(err['msg']).removeprefix('Input ')} (got {_short(err.get('input'))})"
        key = ".".join(([prefix] if prefix else []) + loc) + index
        problems.append(Problem(file, None, key or None, rule))
    return problems


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else f"{text[:57]}..."


def _section(cls: type, raw: dict[str, Any], prefix: str, file: str, problems: list[Problem]) -> Any:
    try:
        return cls(**raw)
    except _ValidationError as exc:
        problems += config_problems(exc, file, prefix)
        return None


def _build(raw: dict[str, Any], file: str = POLICY_FILE) -> Policy:
    problems: list[Problem] = []
    try:
        shape = PolicyFile(**raw)
    except _ValidationError as exc:
        raise _invalid(file, config_problems(exc, file)) from None
    ident = dict(shape.identifiers)
    if isinstance(ident.get("forbidden_columns"), list):
        ident["forbidden_columns"] = [c.lower() if isinstance(c, str) else c for c in ident["forbidden_columns"]]
    parts = {"disclosure": _section(DisclosurePolicy, shape.disclosure, "disclosure", file, problems),
             "privacy": _section(PrivacyPolicy, shape.privacy, "privacy", file, problems),
             "identifiers": _section(IdentifierPolicy, ident, "identifiers", file, problems),
             "fairness": _section(FairnessPolicy, shape.fairness, "fairness", file, problems)}
    if problems:
        raise _invalid(file, problems)
    try:
        return Policy(preset=shape.preset, allowed_levels=frozenset(shape.regions.allowed_levels),
                      excluded_features=frozenset(shape.proxies.excluded_features), **parts)
    except _ValidationError as exc:
        raise _invalid(file, config_problems(exc, file, "regions")) from None


def _invalid(file: str, problems: list[Problem]) -> ConfigError:
    first = problems[0]
    return ConfigError(f"Policy file {file}: the setting '{first.column}' {first.rule}."
                       + (f" {len(problems) - 1} more problem(s):" if len(problems) > 1 else ""),
                       problems[1:])


def load_policy(path: Path | str | None = None) -> Policy:
    """Load and validate a policy file (default: configs/ethics.toml); refuse anything invalid (exit 2)."""
    import dataclasses
    import hashlib

    file = Path(path) if path is not None else DEFAULT_POLICY_PATH
    data = read_config_bytes(file, "Policy file")
    try:
        raw = tomllib.loads(data.decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"Policy file {file} is not valid TOML: {exc}") from None
    policy = _build(raw, str(file))
    return dataclasses.replace(policy, source=str(file), sha256=hashlib.sha256(data).hexdigest())


MAX_CONFIG_BYTES = 1 << 20


def read_config_bytes(file: Path, what: str) -> bytes:
    """The bytes of a small config file, or ConfigError (exit 2) naming it: missing, a folder, unreadable,
    or larger than 1 MiB (no shipped config is near that)."""
    try:
        with file.open("rb") as fh:
            data = fh.read(MAX_CONFIG_BYTES + 1)
    except FileNotFoundError:
        raise ConfigError(f"{what} {file} does not exist.") from None
    except IsADirectoryError:
        raise ConfigError(f"{what} {file} is a folder, not a file.") from None
    except OSError as exc:
        raise ConfigError(f"{what} {file} cannot be read ({exc.strerror or type(exc).__name__}).") from None
    if len(data) > MAX_CONFIG_BYTES:
        raise ConfigError(f"{what} {file} is larger than 1 MiB; a config file is a few kilobytes.")
    return data

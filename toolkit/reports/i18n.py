"""Words of the two HTML pages in Dutch (default) and English, and numbers written the local way.

The wording lives in templates/texts.toml (key = [Dutch, English]); an unknown key is a bug and raises.

Example:
    >>> t = translator("en")
    >>> t("verdict.flag"), fmt_num(1234.5, 1, "nl"), fmt_num(1234.5, 1, "en")
    ('flag', '1.234,5', '1,234.5')
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache
from pathlib import Path

__all__ = ["LANGS", "TEXTS_PATH", "texts", "text_overlay", "translator", "fmt_num", "fmt_pct", "fmt_eur"]

LANGS = ("nl", "en")
TEXTS_PATH = Path(__file__).resolve().parent / "templates" / "texts.toml"


@cache
def texts() -> dict[str, tuple[str, str]]:
    """Every text key with its Dutch and English wording."""
    with TEXTS_PATH.open("rb") as fh:
        return {key: (pair[0], pair[1]) for key, pair in tomllib.load(fh).items()}


# A care domain's words over the default ones (toolkit/domains.py, `--domain wmo`); set with `text_overlay`.
_OVERLAY: ContextVar[dict[str, tuple[str, str]]] = ContextVar("text_overlay", default={})  # noqa: B039


@contextmanager
def text_overlay(overlay: dict[str, tuple[str, str]]) -> Iterator[None]:
    """Within the block, `translator` uses `overlay`'s wording for its keys (a domain's vocabulary)."""
    token = _OVERLAY.set(overlay)
    try:
        yield
    finally:
        _OVERLAY.reset(token)


def translator(lang: str) -> Callable[..., str]:
    """A function key -> text in `lang` ('nl' or 'en'); `{name}` fields are filled from keyword arguments."""
    i, catalogue = LANGS.index(lang), texts() | _OVERLAY.get()

    def t(key: str, **fields: object) -> str:
        text = catalogue[key][i]
        return text.format(**fields) if fields else text

    return t


def fmt_num(value: float | int | None, digits: int = 0, lang: str = "nl") -> str:
    """A number with thousands separators and `digits` decimals, the local way; None -> an em dash."""
    if value is None or value != value:  # None or NaN
        return "\u2014"
    text = f"{value:,.{digits}f}"
    return text.replace(",", "\x00").replace(".", ",").replace("\x00", ".") if lang == "nl" else text


def fmt_pct(value: float | None, digits: int = 1, lang: str = "nl") -> str:
    """A percentage (value already in percent)."""
    return "\u2014" if value is None or value != value else f"{fmt_num(value, digits, lang)}%"


def fmt_eur(value: float | None, lang: str = "nl") -> str:
    """Euros, in millions above one million (budget precision)."""
    if value is None or value != value:
        return "\u2014"
    if abs(value) >= 1_000_000:
        return f"\u20ac {fmt_num(value / 1_000_000, 1, lang)} {'mln' if lang == 'nl' else 'm'}"
    return f"\u20ac {fmt_num(value, 0, lang)}"

"""The jinja2 environment of the HTML pages: autoescape on for every template, strict about missing names."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from toolkit.reports.i18n import fmt_eur, fmt_num, fmt_pct, texts, translator

__all__ = ["TEMPLATES", "render"]

TEMPLATES = Path(__file__).resolve().parent / "templates"


@cache
def _env() -> Any:
    import jinja2

    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def render(template: str, lang: str, **context: Any) -> str:
    """Render `template` in `lang` with the number filters and the translator `t` available."""
    env = _env()
    helpers = {
        "t": translator(lang),
        "lang": lang,
        "num": lambda v, d=0: fmt_num(v, d, lang),
        "pct": lambda v, d=1: fmt_pct(v, d, lang),
        "eur": lambda v: fmt_eur(v, lang),
        "known_keys": frozenset(texts()),
    }
    return env.get_template(template).render(**helpers, **context)

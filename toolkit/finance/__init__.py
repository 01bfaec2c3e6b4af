"""The money side: what a gemeente spends on youth care, what it receives for it, and the shortfall ahead.

Modules, in the order the data flow through them:
- `_read`: readers of the raw money files (separator and decimal mark sniffed, CRLF, thousands dots).
- `_taakvelden`: Iv3 taakveld codes (2023-2024 and 2025) -> care types; youth teams and access apart.
- `build`: `python -m toolkit.finance.build ../shared/data` writes the embedded tables (`make data`).
- `embedded`: the shipped tables (gemeenten, iv3, cluster).
- `prices`: each gemeente's cost per client (Iv3 2023 / CBS clients), shrunk to its class where implausible.
- `budget`: youth cluster amounts and their four drivers; Iv3 spending per year and care type.
- `checks`: the published figures the computation reproduces.
- `shortfall`: spending against the cluster now, and the forecast's euros against it for five years.
- `_result`: `build_finance` -> `FinanceResult` (finance.csv, the audit's money section, page data).
"""

from __future__ import annotations

import polars as pl

from toolkit.finance._result import COLUMNS, FinanceResult, build_finance
from toolkit.finance.prices import PRICE_YEAR, gemeente_prices, national_ratio

__all__ = ["COLUMNS", "FinanceResult", "build_finance", "forecast_prices"]

SRC_NATIONAL = ("per gemeente: CBS Iv3 2023 youth-care lasten / CBS youths with youth care (see audit money.prices); "
                "a gemeente without Iv3 data: the national ratio")


def forecast_prices(panel_frame: pl.DataFrame) -> tuple[dict[str, tuple[float, str]], float, int, str] | None:
    """Per gemeente (price, source), the national ratio, the price year and the overall source text.

    None when the panel holds no CBS client counts of gemeenten next to 2023 (a panel cut off before 2022).
    """
    prices = gemeente_prices(panel_frame)
    if prices["price_eur"].is_null().any():
        return None
    by = {code: (float(eur), str(src)) for code, eur, src in
          prices.select("gemeente_code", "price_eur", "price_source").iter_rows()}
    return by, national_ratio(panel_frame), PRICE_YEAR, SRC_NATIONAL

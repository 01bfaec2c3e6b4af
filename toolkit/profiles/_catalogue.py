"""The signal catalogue: every open indicator a wijk profile uses, with its group, direction and labels.

A signal is computed per wijk and year from panel columns (`sources`); ratios are taken within one year
before the latest known value is chosen, so numerator and denominator always come from the same year.

`direction` says what a high value means for the need of collective prevention: +1 more need, -1 less
need, 0 context only (for example urbanity or the age mix). Only signals with a direction enter the risk
index. `high_*` / `low_*` are short phrases for typology names ("many social rentals", "low incomes").

Not in the open panel, so not a signal: single-parent households (KWB publishes them only with the youth-care
counts, which are the outcome) and moves (KWB 2024 has none per wijk). Not a signal by choice: migration
background (policy: an audit grouping, never a feature) and Wmo clients (`NOT_SIGNALS`).
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

__all__ = ["GROUPS", "NOT_SIGNALS", "Signal", "SIGNALS", "SIGNAL_BY_NAME", "signal_sources"]

NOT_SIGNALS = {
    "wmo_clients_per_1000": "Wmo clients per wijk follow the gemeente's own Wmo policy; as a feature they would "
                            "carry gemeente policy into the national norm, which leaves it out on purpose",
}

GROUPS = ("income", "benefits", "household", "housing", "education", "urbanity", "services", "population")


@dataclass(frozen=True, slots=True)
class Signal:
    """One wijk signal: how to compute it, what a high value means, and how to say it."""

    name: str
    group: str
    direction: int
    sources: tuple[str, ...]
    label_nl: str
    label_en: str
    high: tuple[str, str]  # (nl, en) phrase for a high value
    low: tuple[str, str]  # (nl, en) phrase for a low value

    def expr(self) -> pl.Expr:
        """The polars expression of the signal on panel rows (one year)."""
        if len(self.sources) == 1:
            return pl.col(self.sources[0]).cast(pl.Float64).alias(self.name)
        num, *den = self.sources
        denominator = pl.sum_horizontal(den)
        scale = 1000.0 if self.name.endswith("_per_1000") else 100.0
        return (pl.when(denominator > 0).then(pl.col(num) / denominator * scale).otherwise(None)
                .cast(pl.Float64).alias(self.name))


_S = Signal
_EDU = ("n_education_low", "n_education_mid", "n_education_high")
SIGNALS: tuple[Signal, ...] = (
    _S("income_avg_per_inhabitant_x1000eur", "income", -1, ("income_avg_per_inhabitant_x1000eur",),
       "Gemiddeld inkomen per inwoner (x 1.000 euro)", "Average income per inhabitant (x 1,000 euro)",
       ("hoge inkomens", "high incomes"), ("lage inkomens", "low incomes")),
    _S("pct_persons_lowest40_income", "income", +1, ("pct_persons_lowest40_income",),
       "Personen in de 40% laagste inkomens (%)", "Persons in the lowest 40% of incomes (%)",
       ("veel lage inkomens", "many low incomes"), ("weinig lage inkomens", "few low incomes")),
    _S("pct_persons_highest20_income", "income", -1, ("pct_persons_highest20_income",),
       "Personen in de 20% hoogste inkomens (%)", "Persons in the highest 20% of incomes (%)",
       ("veel hoge inkomens", "many high incomes"), ("weinig hoge inkomens", "few high incomes")),
    _S("pct_hh_below_or_near_social_minimum", "income", +1, ("pct_hh_below_or_near_social_minimum",),
       "Huishoudens rond het sociaal minimum (%)", "Households at or below the social minimum (%)",
       ("veel huishoudens rond het minimum", "many households near the minimum"),
       ("weinig huishoudens rond het minimum", "few households near the minimum")),
    _S("pct_net_labour_participation", "income", -1, ("pct_net_labour_participation",),
       "Nettoarbeidsparticipatie (%)", "Net labour participation (%)",
       ("hoge arbeidsparticipatie", "high labour participation"),
       ("lage arbeidsparticipatie", "low labour participation")),
    _S("pct_hh_lowest40_income", "income", +1, ("pct_hh_lowest40_income",),
       "Huishoudens met de 40% laagste inkomens (%)", "Households in the lowest 40% of incomes (%)",
       ("veel huishoudens met lage inkomens", "many low-income households"),
       ("weinig huishoudens met lage inkomens", "few low-income households")),
    _S("pct_hh_low_purchasing_power", "income", +1, ("pct_hh_low_purchasing_power",),
       "Huishoudens met een laag inkomen (%)", "Households with a low income (purchasing power, %)",
       ("veel huishoudens met weinig koopkracht", "many households with low purchasing power"),
       ("weinig huishoudens met weinig koopkracht", "few households with low purchasing power")),
    _S("bijstand_per_1000", "benefits", +1, ("n_bijstand", "population"),
       "Personen met bijstand per 1.000 inwoners", "Persons on social assistance per 1,000 inhabitants",
       ("veel bijstand", "much social assistance"), ("weinig bijstand", "little social assistance")),
    _S("ao_benefit_per_1000", "benefits", +1, ("n_ao_benefit", "population"),
       "Personen met een AO-uitkering per 1.000 inwoners",
       "Persons on disability benefit per 1,000 inhabitants",
       ("veel AO-uitkeringen", "many disability benefits"),
       ("weinig AO-uitkeringen", "few disability benefits")),
    _S("ww_benefit_per_1000", "benefits", +1, ("n_ww_benefit", "population"),
       "Personen met een WW-uitkering per 1.000 inwoners",
       "Persons on unemployment benefit per 1,000 inhabitants",
       ("veel WW-uitkeringen", "many unemployment benefits"),
       ("weinig WW-uitkeringen", "few unemployment benefits")),
    _S("aow_per_1000", "benefits", 0, ("n_aow", "population"),
       "Personen met AOW per 1.000 inwoners", "Persons on state pension (AOW) per 1,000 inhabitants",
       ("veel AOW'ers", "many pensioners"), ("weinig AOW'ers", "few pensioners")),
    _S("pct_hh_with_children", "household", 0, ("hh_with_children", "households"),
       "Huishoudens met kinderen (%)", "Households with children (%)",
       ("veel gezinnen", "many families"), ("weinig gezinnen", "few families")),
    _S("pct_hh_single_person", "household", 0, ("hh_single_person", "households"),
       "Eenpersoonshuishoudens (%)", "Single-person households (%)",
       ("veel alleenstaanden", "many single-person households"),
       ("weinig alleenstaanden", "few single-person households")),
    _S("pct_hh_without_children", "household", 0, ("hh_without_children", "households"),
       "Huishoudens zonder kinderen (%)", "Households without children (%)",
       ("veel paren zonder kinderen", "many households without children"),
       ("weinig paren zonder kinderen", "few households without children")),
    _S("avg_household_size", "household", 0, ("avg_household_size",),
       "Gemiddelde huishoudensgrootte", "Average household size",
       ("grote huishoudens", "large households"), ("kleine huishoudens", "small households")),
    _S("pct_social_rental", "housing", +1, ("pct_social_rental",),
       "Huurwoningen van een corporatie (%)", "Social-housing rentals (%)",
       ("veel sociale huur", "much social housing"), ("weinig sociale huur", "little social housing")),
    _S("pct_owner_occupied", "housing", -1, ("pct_owner_occupied",),
       "Koopwoningen (%)", "Owner-occupied homes (%)",
       ("veel koopwoningen", "mostly owner-occupied"), ("weinig koopwoningen", "few owner-occupied homes")),
    _S("woz_avg_x1000eur", "housing", -1, ("woz_avg_x1000eur",),
       "Gemiddelde WOZ-waarde (x 1.000 euro)", "Average property value (WOZ, x 1,000 euro)",
       ("dure woningen", "expensive homes"), ("goedkope woningen", "low-cost homes")),
    _S("pct_education_low", "education", +1, ("n_education_low", *_EDU),
       "Opleidingsniveau laag (%)", "Low education level (%)",
       ("veel laagopgeleiden", "many with low education"),
       ("weinig laagopgeleiden", "few with low education")),
    _S("pct_education_mid", "education", 0, ("n_education_mid", *_EDU),
       "Opleidingsniveau middelbaar (%)", "Middle education level (%)",
       ("veel middelbaar opgeleiden", "many with middle education"),
       ("weinig middelbaar opgeleiden", "few with middle education")),
    _S("pct_education_high", "education", -1, ("n_education_high", *_EDU),
       "Opleidingsniveau hoog (%)", "High education level (%)",
       ("veel hoogopgeleiden", "many with higher education"),
       ("weinig hoogopgeleiden", "few with higher education")),
    _S("urbanity_class", "urbanity", 0, ("urbanity_class",),
       "Mate van stedelijkheid (1 zeer sterk .. 5 niet stedelijk)",
       "Urbanity (1 very strongly .. 5 not urban)",
       ("landelijk", "rural"), ("stedelijk", "urban")),
    _S("address_density_km2", "urbanity", 0, ("address_density_km2",),
       "Omgevingsadressendichtheid (per km2)", "Address density (per km2)",
       ("dichtbebouwd", "densely built"), ("ruim opgezet", "spacious")),
    _S("population_density_km2", "urbanity", 0, ("population_density_km2",),
       "Bevolkingsdichtheid (per km2)", "Population density (per km2)",
       ("veel inwoners per km2", "many inhabitants per km2"), ("weinig inwoners per km2", "few inhabitants per km2")),
    _S("dist_gp_km", "services", 0, ("dist_gp_km",),
       "Afstand tot huisartsenpraktijk (km)", "Distance to a GP practice (km)",
       ("huisarts ver weg", "GP far away"), ("huisarts dichtbij", "GP nearby")),
    _S("dist_supermarket_km", "services", 0, ("dist_supermarket_km",),
       "Afstand tot grote supermarkt (km)", "Distance to a large supermarket (km)",
       ("supermarkt ver weg", "supermarket far away"), ("supermarkt dichtbij", "supermarket nearby")),
    _S("dist_daycare_km", "services", 0, ("dist_daycare_km",),
       "Afstand tot kinderdagverblijf (km)", "Distance to a day-care centre (km)",
       ("kinderopvang ver weg", "day care far away"), ("kinderopvang dichtbij", "day care nearby")),
    _S("dist_school_km", "services", 0, ("dist_school_km",),
       "Afstand tot school (km)", "Distance to a school (km)",
       ("school ver weg", "school far away"), ("school dichtbij", "school nearby")),
    _S("schools_within_3km", "services", 0, ("schools_within_3km",),
       "Scholen binnen 3 km", "Schools within 3 km",
       ("veel scholen dichtbij", "many schools nearby"), ("weinig scholen dichtbij", "few schools nearby")),
    _S("pct_age_0_14", "population", 0, ("pop_0_14", "population"),
       "Inwoners 0-14 jaar (%)", "Inhabitants aged 0-14 (%)",
       ("veel kinderen", "many children"), ("weinig kinderen", "few children")),
    _S("pct_age_15_24", "population", 0, ("pop_15_24", "population"),
       "Inwoners 15-24 jaar (%)", "Inhabitants aged 15-24 (%)",
       ("veel jongeren", "many young people"), ("weinig jongeren", "few young people")),
    _S("pct_age_25_44", "population", 0, ("pop_25_44", "population"),
       "Inwoners 25-44 jaar (%)", "Inhabitants aged 25-44 (%)",
       ("veel jonge volwassenen", "many young adults"), ("weinig jonge volwassenen", "few young adults")),
    _S("pct_age_45_64", "population", 0, ("pop_45_64", "population"),
       "Inwoners 45-64 jaar (%)", "Inhabitants aged 45-64 (%)",
       ("veel 45-64-jarigen", "many aged 45-64"), ("weinig 45-64-jarigen", "few aged 45-64")),
    _S("births_per_1000", "population", 0, ("births_per_1000",),
       "Levendgeborenen per 1.000 inwoners", "Live births per 1,000 inhabitants",
       ("veel geboorten", "many births"), ("weinig geboorten", "few births")),
    _S("pct_age_65_plus", "population", 0, ("pop_65_plus", "population"),
       "Inwoners 65 jaar en ouder (%)", "Inhabitants aged 65+ (%)",
       ("vergrijsd", "many older people"), ("weinig ouderen", "few older people")),
)
SIGNAL_BY_NAME: dict[str, Signal] = {s.name: s for s in SIGNALS}


def signal_sources(names: list[str] | tuple[str, ...]) -> set[str]:
    """Every panel column the named signals are computed from."""
    return {col for n in names for col in SIGNAL_BY_NAME[n].sources} | set(names)

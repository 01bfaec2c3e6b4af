"""The data dictionary of the harmonised panel: stable snake_case names, units and CBS origins.

Each variable names its CBS short code (KWB xls/csv), its OData key in KWB 2024 (table 85984NED, what the
`cbsodata` package returns) and its name in the salvaged 2018-2020 file. `wijksignaal data info` prints it.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Variable", "VARIABLES", "BY_NAME", "KWB_CODE_TO_NAME", "ODATA_TO_NAME", "DECIMAL_FIX_2021",
           "JEUGDZORG_TO_NAME", "ID_COLUMNS"]


@dataclass(frozen=True, slots=True)
class Variable:
    """One panel column: its name, unit, signal group, CBS origins and plain-language labels."""

    name: str
    unit: str
    group: str
    kwb: str | None
    odata: str | None
    label_nl: str
    label_en: str
    salvaged: str | None = None


_V = Variable
VARIABLES: tuple[Variable, ...] = (
    _V("population", "persons", "population", "a_inw", "AantalInwoners_5", "Inwoners", "Inhabitants"),
    _V("pop_0_14", "persons", "population", "a_00_14", "k_0Tot15Jaar_8", "Inwoners 0-14 jaar", "Inhabitants 0-14"),
    _V("pop_15_24", "persons", "population", "a_15_24", "k_15Tot25Jaar_9", "Inwoners 15-24 jaar",
       "Inhabitants 15-24"),
    _V("pop_25_44", "persons", "population", "a_25_44", "k_25Tot45Jaar_10", "Inwoners 25-44 jaar",
       "Inhabitants 25-44"),
    _V("pop_45_64", "persons", "population", "a_45_64", "k_45Tot65Jaar_11", "Inwoners 45-64 jaar",
       "Inhabitants 45-64"),
    _V("pop_65_plus", "persons", "population", "a_65_oo", "k_65JaarOfOuder_12", "Inwoners 65+", "Inhabitants 65+"),
    _V("pop_western_migration", "persons", "migration (audit only)", "a_w_all", None,
       "Westerse migratieachtergrond", "Western migration background"),
    _V("pop_nonwestern_migration", "persons", "migration (audit only)", "a_nw_all", None,
       "Niet-westerse migratieachtergrond (2021-2022); herkomst buiten Europa (2024)",
       "Non-western migration background (2021-2022); origin outside Europe (2024, CBS's successor)"),
    _V("households", "households", "household", "a_hh", "HuishoudensTotaal_29", "Huishoudens", "Households"),
    _V("hh_single_person", "households", "household", "a_1p_hh", "Eenpersoonshuishoudens_30",
       "Eenpersoonshuishoudens", "Single-person households"),
    _V("hh_without_children", "households", "household", "a_hh_z_k", "HuishoudensZonderKinderen_31",
       "Huishoudens zonder kinderen", "Households without children"),
    _V("hh_with_children", "households", "household", "a_hh_m_k", "HuishoudensMetKinderen_32",
       "Huishoudens met kinderen", "Households with children"),
    _V("avg_household_size", "persons per household", "household", "g_hhgro", "GemiddeldeHuishoudensgrootte_33",
       "Gemiddelde huishoudensgrootte", "Average household size"),
    _V("population_density_km2", "inhabitants per km2", "urbanity", "bev_dich", "Bevolkingsdichtheid_34",
       "Bevolkingsdichtheid", "Population density", "population_density_km2"),
    _V("woz_avg_x1000eur", "x 1,000 euro", "housing", "g_wozbag", "GemiddeldeWOZWaardeVanWoningen_39",
       "Gemiddelde WOZ-waarde", "Average property value (WOZ)"),
    _V("pct_owner_occupied", "%", "housing", "p_koopw", "Koopwoningen_47", "Koopwoningen", "Owner-occupied homes",
       "pct_owner_occupied"),
    _V("pct_rental", "%", "housing", "p_huurw", "HuurwoningenTotaal_48", "Huurwoningen", "Rental homes",
       "pct_rental"),
    _V("pct_social_rental", "%", "housing", "p_wcorpw", "InBezitWoningcorporatie_49",
       "Huurwoningen van een corporatie", "Social-housing rentals"),
    _V("income_avg_per_recipient_x1000eur", "x 1,000 euro", "income", "g_ink_po",
       "GemiddeldInkomenPerInkomensontvanger_82", "Gemiddeld inkomen per inkomensontvanger",
       "Average income per income recipient", "income_avg_per_recipient_x1000eur"),
    _V("income_avg_per_inhabitant_x1000eur", "x 1,000 euro", "income", "g_ink_pi", "GemiddeldInkomenPerInwoner_83",
       "Gemiddeld inkomen per inwoner", "Average income per inhabitant", "income_avg_per_inhabitant_x1000eur"),
    _V("pct_persons_lowest40_income", "%", "income", "p_ink_li", "k_40PersonenMetLaagsteInkomen_84",
       "Personen in de 40% laagste inkomens", "Persons in the lowest 40% of incomes", "pct_persons_lowest40_income"),
    _V("pct_persons_highest20_income", "%", "income", "p_ink_hi", "k_20PersonenMetHoogsteInkomen_85",
       "Personen in de 20% hoogste inkomens", "Persons in the highest 20% of incomes",
       "pct_persons_highest20_income"),
    _V("pct_hh_lowest40_income", "%", "income", "p_hh_li", "k_40HuishoudensMetLaagsteInkomen_87",
       "Huishoudens in de 40% laagste inkomens", "Households in the lowest 40% of incomes",
       "pct_hh_lowest40_income"),
    _V("pct_hh_highest20_income", "%", "income", "p_hh_hi", "k_20HuishoudensMetHoogsteInkomen_88",
       "Huishoudens in de 20% hoogste inkomens", "Households in the highest 20% of incomes",
       "pct_hh_highest20_income"),
    _V("pct_hh_low_purchasing_power", "%", "income", "p_hh_lkk", "HuishoudensMetEenLaagInkomen_89",
       "Huishoudens met een laag inkomen", "Households with a low income", "pct_hh_low_purchasing_power"),
    _V("pct_hh_below_or_near_social_minimum", "%", "income", "p_hh_osm", "HuishOnderOfRondSociaalMinimum_90",
       "Huishoudens onder of rond het sociaal minimum", "Households at or below the social minimum",
       "pct_hh_below_or_near_social_minimum"),
    _V("n_bijstand", "persons", "benefits", "a_soz_wb", "PersonenPerSoortUitkeringBijstand_94",
       "Personen met bijstand", "Persons on social assistance", "n_bijstand"),
    _V("n_ao_benefit", "persons", "benefits", "a_soz_ao", "PersonenPerSoortUitkeringAO_95",
       "Personen met een AO-uitkering", "Persons on disability benefit", "n_ao_benefit"),
    _V("n_ww_benefit", "persons", "benefits", "a_soz_ww", "PersonenPerSoortUitkeringWW_96",
       "Personen met een WW-uitkering", "Persons on unemployment benefit", "n_ww_benefit"),
    _V("n_aow", "persons", "benefits", "a_soz_ow", "PersonenPerSoortUitkeringAOW_97", "Personen met AOW",
       "Persons on state pension", "n_aow"),
    _V("n_education_low", "persons", "education", "a_opl_lg", "BasisonderwijsVmboMbo1_75",
       "Opleidingsniveau laag", "Education level low"),
    _V("n_education_mid", "persons", "education", "a_opl_md", "HavoVwoMbo24_76", "Opleidingsniveau middelbaar",
       "Education level middle"),
    _V("n_education_high", "persons", "education", "a_opl_hg", "HboWo_77", "Opleidingsniveau hoog",
       "Education level high"),
    _V("pct_net_labour_participation", "%", "work", "p_arb_pp", "Nettoarbeidsparticipatie_78",
       "Nettoarbeidsparticipatie", "Net labour participation"),
    _V("urbanity_class", "1 (very strongly urban) .. 5 (not urban)", "urbanity", "ste_mvs",
       "MateVanStedelijkheid_127", "Mate van stedelijkheid", "Urbanity class"),
    _V("address_density_km2", "addresses per km2", "urbanity", "ste_oad", "Omgevingsadressendichtheid_128",
       "Omgevingsadressendichtheid", "Address density"),
    _V("wmo_clients", "persons (CBS-rounded to 5)", "care", "a_wmo_t", "WmoClienten_100", "Wmo-cliënten",
       "Wmo (social support) clients"),
    _V("wmo_clients_per_1000", "per 1,000 inhabitants", "care", "p_wmo_t", "WmoClientenRelatief_101",
       "Wmo-cliënten relatief", "Wmo clients per 1,000 inhabitants"),
    _V("n_births", "persons", "population", "a_geb", "GeboorteTotaal_25", "Geboorte totaal", "Live births"),
    _V("births_per_1000", "per 1,000 inhabitants", "population", "p_geb", "GeboorteRelatief_26",
       "Geboorte relatief", "Live births per 1,000 inhabitants"),
    _V("dist_gp_km", "km (average by road)", "services", "g_afs_hp", "AfstandTotHuisartsenpraktijk_117",
       "Afstand tot huisartsenpraktijk", "Distance to GP practice"),
    _V("dist_supermarket_km", "km (average by road)", "services", "g_afs_gs", "AfstandTotGroteSupermarkt_118",
       "Afstand tot grote supermarkt", "Distance to large supermarket"),
    _V("dist_daycare_km", "km (average by road)", "services", "g_afs_kv", "AfstandTotKinderdagverblijf_119",
       "Afstand tot kinderdagverblijf", "Distance to daycare"),
    _V("dist_school_km", "km (average by road)", "services", "g_afs_sc", "AfstandTotSchool_120",
       "Afstand tot school", "Distance to (primary) school"),
    _V("schools_within_3km", "schools (average per inhabitant)", "services", "g_3km_sc", "ScholenBinnen3Km_121",
       "Scholen binnen 3 km", "Schools within 3 km"),
    _V("youth_care_clients_kwb", "persons (CBS-rounded to 5)", "youth care", "a_jz_tn",
       "JongerenMetJeugdzorgInNatura_98", "Jongeren met jeugdzorg (KWB)", "Youths with youth care (KWB)"),
    _V("pct_youth_care_kwb", "% of youths under 23", "youth care", "p_jz_tn", "PercentageJongerenMetJeugdzorg_99",
       "Percentage jongeren met jeugdzorg (KWB)", "Share of youths with youth care (KWB)", "pct_youth_care"),
)

# The joined CBS youth-care table (85075NED 2021, 85335NED 2022; total of all forms of youth care).
JEUGDZORG_TO_NAME: dict[str, str] = {
    "TotaalJongerenMetJeugdzorgInNatura_1": "youth_care_clients",
    "k_0Tot4Jaar_2": "youth_care_clients_0_3",
    "k_4Tot12Jaar_3": "youth_care_clients_4_11",
    "k_12Tot18Jaar_4": "youth_care_clients_12_17",
    "k_18Tot23Jaar_5": "youth_care_clients_18_22",
    "ThuiswonendKindInEenouderhuishouden_6": "youth_care_clients_single_parent_hh",
    "ThuiswonendKindBijEenPaar_7": "youth_care_clients_couple_hh",
    "AnderHuishouden_8": "youth_care_clients_other_hh",
    "TotaalTrajectenInNatura_9": "youth_care_trajectories",
    "GemeentelijkeToegang_10": "trajectories_referrer_municipal_access",
    "Huisarts_11": "trajectories_referrer_gp",
    "Jeugdarts_12": "trajectories_referrer_youth_doctor",
    "GecertificeerdeInstelling_13": "trajectories_referrer_certified_institution",
    "MedischSpecialist_14": "trajectories_referrer_medical_specialist",
    "RechterOfficierVanJustitie_15": "trajectories_referrer_court",
    "GeenVerwijzer_16": "trajectories_referrer_none",
    "VerwijzerOnbekend_17": "trajectories_referrer_unknown",
}

BY_NAME: dict[str, Variable] = {v.name: v for v in VARIABLES}
KWB_CODE_TO_NAME: dict[str, str] = {v.kwb: v.name for v in VARIABLES if v.kwb}
ODATA_TO_NAME: dict[str, str] = {v.odata: v.name for v in VARIABLES if v.odata}

# SOURCES.md: in the 2021 rows the decimal comma of these one-decimal columns was lost (values 10x too large).
DECIMAL_FIX_2021: tuple[str, ...] = (
    "g_hhgro", "g_pau_hh", "g_ink_po", "g_ink_pi", "p_ink_li", "p_ink_hi", "g_hh_sti", "p_hh_li", "p_hh_hi",
    "p_hh_lkk", "p_hh_osm", "p_hh_110", "p_hh_120", "m_hh_ver", "g_afs_hp", "g_afs_gs", "g_afs_kv", "g_afs_sc",
    "g_3km_sc",
)

ID_COLUMNS: tuple[str, ...] = ("region_code", "level", "region_name", "gemeente_code", "gemeente_name", "year")

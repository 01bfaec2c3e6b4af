"""Fixed wording of the Algoritmeregister draft (Dutch: the register publishes in Dutch only).

Placeholders in braces are filled from the run by `toolkit.reports.register`.
"""

from __future__ import annotations

__all__ = ["FIELDS", "TEXT", "CATEGORY_REASONING", "TO_CONFIRM"]

# (section, key, label): the fields of the Algoritmeregister publication standard 1.0, in its order.
FIELDS: tuple[tuple[str, str, str], ...] = (
    ("algemene_informatie", "naam", "Naam"),
    ("algemene_informatie", "korte_omschrijving", "Korte omschrijving"),
    ("algemene_informatie", "organisatie", "Organisatie"),
    ("algemene_informatie", "thema", "Thema"),
    ("algemene_informatie", "status", "Status"),
    ("algemene_informatie", "begindatum", "Begindatum"),
    ("algemene_informatie", "einddatum", "Einddatum"),
    ("algemene_informatie", "contactgegevens", "Contactgegevens"),
    ("algemene_informatie", "link_publiekspagina", "Link naar publiekspagina"),
    ("algemene_informatie", "publicatiecategorie", "Publicatiecategorie"),
    ("algemene_informatie", "link_bronregistratie", "Link naar bronregistratie"),
    ("verantwoord_gebruik", "doel_en_impact", "Doel en impact"),
    ("verantwoord_gebruik", "afwegingen", "Afwegingen"),
    ("verantwoord_gebruik", "menselijke_tussenkomst", "Menselijke tussenkomst"),
    ("verantwoord_gebruik", "risicobeheer", "Risicobeheer"),
    ("verantwoord_gebruik", "wettelijke_basis", "Wettelijke basis"),
    ("verantwoord_gebruik", "link_wettelijke_basis", "Link naar wettelijke basis"),
    ("verantwoord_gebruik", "titel_wettelijke_basis", "Titel wettelijke basis"),
    ("verantwoord_gebruik", "verwerkingsregister", "Link naar verwerkingsregister"),
    ("verantwoord_gebruik", "impacttoetsen", "Impacttoetsen"),
    ("verantwoord_gebruik", "link_impacttoets", "Link naar impacttoets"),
    ("verantwoord_gebruik", "toelichting_impacttoetsen", "Toelichting impacttoetsen"),
    ("werking", "gegevens", "Gegevens"),
    ("werking", "link_gegevensbron", "Link naar gegevensbron"),
    ("werking", "titel_gegevensbron", "Titel gegevensbron"),
    ("werking", "technische_werking", "Technische werking"),
    ("werking", "leverancier", "Leverancier"),
    ("werking", "link_broncode", "Link naar broncode"),
    ("metadata", "taal", "Taal"),
    ("metadata", "schema", "Standaardversie"),
    ("metadata", "bron_id", "Bron-id"),
    ("metadata", "zoektermen", "Zoektermen"),
)

TO_CONFIRM = "In te vullen door de gemeente: {what}"

TEXT = {
    "naam": "Wijksignaal jeugdzorg {gemeente}",
    "korte_omschrijving": (
        "Wijksignaal maakt uit open CBS-cijfers per wijk een profiel en een voorspelling voor vijf jaar "
        "van het aantal jongeren met jeugdzorg en de kosten. Het gaat alleen over wijken, nooit over "
        "personen. Preventieteams gebruiken het om te kiezen in welke wijken zij extra inzetten."
    ),
    "thema": "Zorg en gezondheid; Sociale zekerheid",
    "status": "In ontwikkeling",
    "doel_en_impact": (
        "Doel: de gemeente wil jeugdhulp eerder en dichter bij huis inzetten. Wijksignaal laat per wijk "
        "zien hoe de wijk scoort op open signalen (inkomen, uitkeringen, wonen, huishoudens), hoeveel "
        "jongeren er nu jeugdzorg hebben tegenover wat te verwachten is, en hoe dat aantal en de kosten "
        "zich de komende vijf jaar waarschijnlijk ontwikkelen. Impact: de uitkomst helpt bij het verdelen "
        "van preventie-inzet en budget over wijken. Inwoners merken dat alleen via het aanbod in hun wijk. "
        "Er wordt geen besluit over een persoon of gezin genomen en niemand wordt aangemerkt of benaderd "
        "op basis van deze uitkomst."
    ),
    "afwegingen": (
        "Bewust gekozen voor cijfers over wijken in plaats van risicoscores voor personen: een risicoscore "
        "per gezin is niet nodig voor planning en raakt de privacy en gelijke behandeling van inwoners. "
        "Het model gebruikt geen migratieachtergrond; die wordt alleen gebruikt om te toetsen of fouten en "
        "selectie ongelijk over soorten wijken vallen. Eigen registraties van de gemeente worden alleen "
        "met differentiële privacy en de CBS-afrondingsregels samengevat; kleine aantallen worden "
        "afgeschermd. Alternatief zonder algoritme (plannen op gemeenteniveau) is te grof om preventie per "
        "wijk te richten."
    ),
    "menselijke_tussenkomst": (
        "De uitkomsten zijn een voorstel. Het preventieteam en de beleidsadviseur jeugd bespreken de "
        "prioriteitenlijst met wijkteams en partners in de wijk en besluiten zelf. De ethisch adviseur "
        "tekent het auditrapport af voordat uitkomsten worden gebruikt; een afwijking in de "
        "eerlijkheidstoets wordt eerst besproken. De uitkomsten worden nooit gebruikt voor een besluit "
        "over een persoon, voor toegang tot zorg of voor handhaving."
    ),
    "risicobeheer": (
        "Privacy: geen directe identificerende gegevens; eigen registratie alleen via de privacypoort "
        "(differentiële privacy, privacybudget in een logboek met hashketen, CBS-regels); elke uitvoer "
        "wordt gecontroleerd voordat hij wordt geschreven ({egress} controles in deze run, alle geslaagd). "
        "Eerlijkheid: fouten en selectie worden vergeleken over inkomensgroepen, migratieachtergrond, "
        "stedelijkheid en grootte van wijken; uitkomst in deze run: {fair_pass} in orde, {fair_flag} "
        "aandacht, {fair_fail} afwijzing. Nauwkeurigheid: terugtoets over alle Nederlandse wijken "
        "({backtest}). Misbruik: de uitvoer bevat geen gegevens over personen."
    ),
    "wettelijke_basis": (
        "Jeugdwet, artikelen 2.1 en 2.2: de gemeente is verantwoordelijk voor preventie en jeugdhulp en "
        "stelt daarvoor beleid en een plan vast. Voor het gebruik van eigen registraties: AVG artikel 6 "
        "lid 1 sub e en artikel 89 (statistische doeleinden, met passende waarborgen). Laat de juridische "
        "adviseur deze grondslag bevestigen."
    ),
    "link_wettelijke_basis": "https://wetten.overheid.nl/BWBR0034925/",
    "titel_wettelijke_basis": "Jeugdwet",
    "impacttoetsen": (
        "Impact Assessment Mensenrechten en Algoritmes (IAMA); "
        "Data Protection Impact Assessment (DPIA) {dpia}"
    ),
    "toelichting_impacttoetsen": (
        "Dit auditrapport beantwoordt {answered} van de {total} vragen uit het IAMA en de DPIA met bewijs "
        "uit de run en {partly} gedeeltelijk; {open} vragen vragen om het gesprek met betrokkenen (zie de "
        "kruistabel IAMA/DPIA in het auditrapport)."
    ),
    "gegevens": (
        "Open gegevens van het CBS (CC BY 4.0, Bron: CBS): Kerncijfers wijken en buurten 2018-2022 en 2024, "
        "Jeugdzorg; wijken en buurten 2021 en 2022, Indicatoren jeugdzorg; gemeenten 2022, en de wijk- en "
        "buurtkaart 2024 (CBS, Kadaster/PDOK). {records}"
    ),
    "link_gegevensbron": "https://opendata.cbs.nl/statline/",
    "titel_gegevensbron": "CBS Kerncijfers wijken en buurten (2024: 85984NED); CBS Jeugdzorg; wijken en buurten "
    "(85075NED, 85335NED); CBS wijk- en buurtkaart 2024",
    "technische_werking": (
        "Profiel: per wijk de percentielen van open signalen en een verwacht percentage jongeren met "
        "jeugdzorg uit een model over alle Nederlandse wijken, getoetst buiten de trainingsgegevens. "
        "Voorspelling: {forecast_method} Intervallen met 80% zekerheid. Eerlijkheidstoets met fairlearn "
        "over soorten wijken. Alle stappen zijn vastgelegd in audit.json (versies en sha256-sommen)."
    ),
    "leverancier": "Eigen ontwikkeling met open-source software wijksignaal {version}",
    "taal": "nld",
    "schema": "1.0.0",
    "zoektermen": "jeugdzorg, jeugdhulp, preventie, wijken, voorspelling, kosten, differentiële privacy",
}

CATEGORY_REASONING = (
    "Impactvolle algoritmes (categorie B). Geen hoog-risico-AI-systeem: de AI-verordening (bijlage III, "
    "punt 5a) gaat over het beoordelen van natuurlijke personen voor toegang tot publieke diensten, en "
    "wijksignaal beoordeelt geen personen; de uitkomsten gaan over wijken. Wel impactvol: de uitkomst "
    "stuurt hoe preventie-inzet en budget over wijken worden verdeeld, het onderwerp (jeugdzorg) raakt "
    "kwetsbare inwoners, en een ongelijke selectie van wijken kan groepen inwoners benadelen of "
    "stigmatiseren. Daarom publiceren we het algoritme en toetsen we eerlijkheid bij elke run."
)

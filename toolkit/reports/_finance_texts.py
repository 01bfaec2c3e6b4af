"""Dutch and English texts and labels of financien.html (toolkit/reports/finance_page.py)."""

from __future__ import annotations

__all__ = ["ACCESS_LABELS", "BUDGET_LABELS", "CARE_LABELS", "DRIVER_LABELS", "STATUS_LABELS", "TEXTS"]

CARE_LABELS = {
    "jeugdhulp_zonder_verblijf": ("Jeugdhulp zonder verblijf", "Youth care without residence"),
    "jeugdhulp_met_verblijf": ("Jeugdhulp met verblijf", "Youth care with residence"),
    "jeugdhulp_pgb": ("Pgb jeugd (apart vanaf 2025)", "Personal budgets (separate from 2025)"),
    "jeugdbescherming": ("Jeugdbescherming", "Youth protection"),
    "jeugdreclassering": ("Jeugdreclassering", "Youth probation"),
}
ACCESS_LABELS = {
    "wijkteams_alle_domeinen": ("Wijkteams, alle domeinen (6.2)", "Neighbourhood teams, all domains (6.2)"),
    "toegang_jeugd": ("Toegang jeugd (6.22)", "Access youth (6.22)"),
    "beleid_jeugd": ("Coördinatie en beleid jeugd (6.92)", "Coordination and policy youth (6.92)"),
}
DRIVER_LABELS = {
    "jongeren": ("Jongeren (jong)", "Youths (jong)"),
    "lage_inkomens": ("Huishoudens met laag inkomen (lidr_w_nw)", "Low-income households (lidr_w_nw)"),
    "centrumfunctie": ("Regionale centrumfunctie (cf.regionaal)", "Regional centre function (cf.regionaal)"),
    "adressendichtheid": ("Omgevingsadressendichtheid (oadw)", "Address density (oadw)"),
}
BUDGET_LABELS = {"budget_flat": ("budget reëel gelijk", "budget flat in real terms"),
                 "budget_indexed": ("budget geïndexeerd", "budget indexed")}
STATUS_LABELS = {
    "own": ("eigen cijfer", "own figure"),
    "class_median_implausible": ("klassemediaan (eigen cijfer onwaarschijnlijk)", "class median (own implausible)"),
    "class_median_missing": ("klassemediaan (eigen cijfer ontbreekt)", "class median (own missing)"),
}
TEXTS = {
    "title": ("Financiën jeugdhulp", "Youth-care finances"),
    "intro": ("Wat de gemeente uitgeeft aan jeugdhulp (CBS Iv3), wat zij ervoor ontvangt (cluster Individuele "
              "voorzieningen Jeugd van het Gemeentefonds) en het tekort dat de prognose laat zien.",
              "What the gemeente spends on youth care (CBS Iv3), what it receives for it (Gemeentefonds cluster "
              "Individuele voorzieningen Jeugd) and the shortfall the forecast shows."),
    "q1": ("1. Wat kost een jongere met jeugdhulp?", "1. What does a youth in care cost?"),
    "q2": ("2. Hoeveel ontvangt de gemeente?", "2. What does the gemeente receive?"),
    "q3": ("3. Uitgaven tegenover het budget", "3. Spending against the budget"),
    "q3b": ("4. Hoe erg wordt het? Tekort in de prognosejaren", "4. How bad will it get? Shortfall ahead"),
    "q4": ("5. Waar gaat het geld heen?", "5. Where does the money go?"),
    "leaves_out": ("Wat deze vergelijking niet zegt", "What this comparison cannot say"),
    "caveats": (
        ("Het Gemeentefonds is niet geoormerkt: het jeugdcluster is een maat voor de behoefte, geen geld dat "
         "voor jeugdhulp apart staat. Een gemeente betaalt jeugdhulp uit het hele fonds en eigen inkomsten.",
         "Wijkteams en toegang (Iv3 6.2, voor alle domeinen; vanaf 2025 6.22 Toegang jeugd) en beleid (6.92) "
         "staan apart geboekt en zitten niet in de uitgaven hieronder; ze staan apart vermeld.",
         "2024 en 2025 zijn begrotingen van de gemeente zelf, geen realisaties; 2023 is gerealiseerd. Het "
         "jeugdcluster van 2023 zit niet in de gegevens, dus 2023 heeft geen budget om mee te vergelijken.",
         "De prognose rekent met de kosten per cliënt van 2023 in prijzen van 2023 (geen indexatie tenzij "
         "ingesteld); het cluster is in euro's van het eigen jaar. Zonder indexatie is het tekort daardoor "
         "te laag ingeschat."),
        ("The Gemeentefonds is not earmarked: the youth cluster measures need, it is not money set aside for "
         "youth care. A gemeente pays for youth care from the whole fund and its own income.",
         "Youth teams and access (Iv3 6.2, all domains; from 2025 6.22 Access youth) and policy (6.92) are "
         "booked apart and are not in the spending below; they are shown separately.",
         "2024 and 2025 are the gemeente's own budgets, not realisations; 2023 is realised. The 2023 youth "
         "cluster is not in the data, so 2023 has no budget to compare with.",
         "The forecast uses the 2023 cost per client in 2023 prices (no indexation unless configured); the "
         "cluster is in euros of its own year. Without indexation the shortfall is therefore understated."),
    ),
    "source": ("Bron: CBS (Iv3), BZK (Gemeentefonds); CBS (jongeren met jeugdhulp).",
               "Source: CBS (Iv3), BZK (Gemeentefonds); CBS (youths with youth care)."),
    "more": ("Meer gemeenten dan op deze pagina passen: finance.csv bevat ze allemaal.",
             "More gemeenten than fit on this page: finance.csv holds them all."),
}

"""Fixed reference data the handlers share: EEA membership, outcome texts, form labels."""

from __future__ import annotations

# ISO 3166 English short names: the EU 27, the other EEA states (Iceland, Liechtenstein,
# Norway) and Switzerland, whose nationals the EEA regulations also cover (DET-2, DEP-2).
EEA_COUNTRIES = frozenset(
    {
        "Austria",
        "Belgium",
        "Bulgaria",
        "Croatia",
        "Cyprus",
        "Czechia",
        "Denmark",
        "Estonia",
        "Finland",
        "France",
        "Germany",
        "Greece",
        "Hungary",
        "Ireland",
        "Italy",
        "Latvia",
        "Lithuania",
        "Luxembourg",
        "Malta",
        "Netherlands",
        "Poland",
        "Portugal",
        "Romania",
        "Slovakia",
        "Slovenia",
        "Spain",
        "Sweden",
        "Iceland",
        "Liechtenstein",
        "Norway",
        "Switzerland",
    }
)

# referrals are typed by people: ACRO writes "Polish" as often as "Poland", and older
# names linger; map them to the ISO name so an EEA national is never routed as non-EEA
NATIONALITY_NAMES = {
    "austrian": "Austria",
    "belgian": "Belgium",
    "bulgarian": "Bulgaria",
    "croatian": "Croatia",
    "cypriot": "Cyprus",
    "czech": "Czechia",
    "czech republic": "Czechia",
    "danish": "Denmark",
    "estonian": "Estonia",
    "finnish": "Finland",
    "french": "France",
    "german": "Germany",
    "greek": "Greece",
    "hungarian": "Hungary",
    "irish": "Ireland",
    "republic of ireland": "Ireland",
    "italian": "Italy",
    "latvian": "Latvia",
    "lithuanian": "Lithuania",
    "luxembourgish": "Luxembourg",
    "luxembourger": "Luxembourg",
    "maltese": "Malta",
    "dutch": "Netherlands",
    "the netherlands": "Netherlands",
    "holland": "Netherlands",
    "netherlands (kingdom of the)": "Netherlands",
    "polish": "Poland",
    "portuguese": "Portugal",
    "romanian": "Romania",
    "slovak": "Slovakia",
    "slovak republic": "Slovakia",
    "slovenian": "Slovenia",
    "slovene": "Slovenia",
    "spanish": "Spain",
    "swedish": "Sweden",
    "icelandic": "Iceland",
    "liechtensteiner": "Liechtenstein",
    "norwegian": "Norway",
    "swiss": "Switzerland",
}


def is_eea_national(nationality: str | None, eea_countries=None) -> bool | None:
    """True or False for a stated nationality, None when the referral does not state one."""
    if not nationality or not nationality.strip():
        return None
    text = " ".join(nationality.split()).casefold()
    country = NATIONALITY_NAMES.get(text, text).casefold()
    return country in {name.casefold() for name in (eea_countries or EEA_COUNTRIES)}


CERTIFICATE_PURPOSE_IMMIGRATION = "Request for administrative purpose immigration/deportation"

# enum labels of the forms in docs/process.md, for notes a person reads
EXCLUSION_DECISIONS = {
    "exclusion_order": "Obtain an exclusion order",
    "exclude": "Exclude",
    "no_action": "No exclusion action",
}

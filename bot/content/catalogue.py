"""The topic catalogue: fixed ids shared with evaluators (see the design's topics.md).

The ids are a contract: tests, reports and evaluators refer to them, so content files may
only use these ids, and every id must have a content file.
"""

from __future__ import annotations

GROUPS: dict[str, tuple[str, ...]] = {
    "risks": (
        "sea_crossing_risks",
        "desert_crossing_risks",
        "smuggler_false_promises",
        "smuggler_contact_request",
        "trafficking_signs",
        "kidnapping_extortion",
        "fake_documents",
        "job_offer_scams",
        "offer_check",
    ),
    "legal_routes": (
        "legal_routes_overview",
        "family_reunification",
        "resettlement",
        "humanitarian_corridors",
        "work_migration",
        "study_abroad",
        "visa_basics",
    ),
    "asylum": (
        "asylum_basics",
        "asylum_how_to_apply",
        "asylum_rights",
        "asylum_interview",
        "dublin_rules",
        "asylum_rejected",
        "unaccompanied_children",
        "detention",
        "temporary_protection",
        "legal_aid",
    ),
    "help": (
        "emergency_at_sea",
        "emergency_general",
        "find_help",
        "health_care",
        "missing_relatives",
        "voluntary_return",
        "gbv_support",
    ),
    "conversation": (
        "greet",
        "goodbye",
        "thanks",
        "about_bot",
        "privacy",
        "human_help",
        "change_language",
        "fallback",
    ),
}

TOPICS: tuple[str, ...] = tuple(t for ids in GROUPS.values() for t in ids)
GROUP_OF: dict[str, str] = {t: g for g, ids in GROUPS.items() for t in ids}

# The launch languages, in the order menus show them.
LANGUAGES: tuple[str, ...] = (
    "en",
    "ar",
    "fa",
    "ps",
    "ti",
    "so",
    "fr",
    "es",
    "tr",
    "ur",
    "bn",
    "uk",
)

# Main menu: one entry topic per group that a person in need looks for first.
MENU: tuple[str, ...] = (
    "emergency_general",
    "legal_routes_overview",
    "asylum_basics",
    "sea_crossing_risks",
    "offer_check",
    "find_help",
)

SERVICE_KINDS: tuple[str, ...] = ("unhcr", "iom", "asylum_authority", "legal_aid", "red_cross")
REQUIRED_SERVICE_KINDS: tuple[str, ...] = ("unhcr", "iom", "asylum_authority", "legal_aid")

# Short button titles (English msgids; translated in locales/<lang>/LC_MESSAGES/masar.po).
TITLES: dict[str, str] = {
    "sea_crossing_risks": "Dangers at sea",
    "desert_crossing_risks": "Dangers in the desert",
    "smuggler_false_promises": "Smugglers' lies",
    "smuggler_contact_request": "Smugglers",
    "trafficking_signs": "Signs of trafficking",
    "kidnapping_extortion": "Kidnapping and ransom",
    "fake_documents": "Fake documents",
    "job_offer_scams": "Fake job offers",
    "offer_check": "Check an offer",
    "legal_routes_overview": "Legal ways to travel",
    "family_reunification": "Joining family",
    "resettlement": "Resettlement",
    "humanitarian_corridors": "Humanitarian corridors",
    "work_migration": "Work visas",
    "study_abroad": "Study abroad",
    "visa_basics": "Visas",
    "asylum_basics": "Asylum",
    "asylum_how_to_apply": "How to ask for asylum",
    "asylum_rights": "Your rights in asylum",
    "asylum_interview": "The asylum interview",
    "dublin_rules": "Dublin rules",
    "asylum_rejected": "Asylum refused",
    "unaccompanied_children": "Children alone",
    "detention": "Detention",
    "temporary_protection": "Temporary protection",
    "legal_aid": "Free legal help",
    "emergency_at_sea": "Emergency at sea",
    "emergency_general": "Emergency",
    "find_help": "Find help near you",
    "health_care": "Health care",
    "missing_relatives": "Missing family",
    "voluntary_return": "Going home",
    "gbv_support": "Violence support",
    "greet": "Start",
    "goodbye": "Goodbye",
    "thanks": "Thanks",
    "about_bot": "About Masar",
    "privacy": "Privacy",
    "human_help": "Talk to a person",
    "change_language": "Language",
    "fallback": "Other",
}

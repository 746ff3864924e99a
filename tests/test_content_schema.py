"""The JSON Schemas that editors use while typing agree with the loader the bot uses.

VS Code (Red Hat YAML extension) validates content files against content/schema/*.json as
NGO staff type. If the schemas drifted from bot/content/loader.py, the editor would accept
what the check rejects, or flag what the bot accepts; these tests keep them together.
"""

from __future__ import annotations

import datetime as dt
import json
import textwrap
from pathlib import Path

import jsonschema
import pytest
import yaml
from samples import TOPIC_HEAD, languages

from bot.content.catalogue import GROUPS, LANGUAGES, REQUIRED_SERVICE_KINDS, SERVICE_KINDS, TOPICS
from bot.content.loader import MAX_ANSWER, PHONE_RE, URL_RE, load

ROOT = Path(__file__).resolve().parent.parent
SCHEMA_DIR = ROOT / "content" / "schema"


def _schema(name: str) -> dict:
    return json.loads((SCHEMA_DIR / f"{name}.schema.json").read_text(encoding="utf-8"))


def _validator(name: str) -> jsonschema.Draft7Validator:
    return jsonschema.Draft7Validator(_schema(name), format_checker=jsonschema.FormatChecker())


def _as_json(node):
    """YAML as the editor sees it (YAML 1.2: dates are text)."""
    if isinstance(node, dict):
        return {str(k): _as_json(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_as_json(v) for v in node]
    if isinstance(node, (dt.date, dt.datetime)):
        return node.isoformat()
    return node


def _errors(name: str, text: str) -> list[str]:
    data = _as_json(yaml.safe_load(text))
    return [
        f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
        for e in _validator(name).iter_errors(data)
    ]


@pytest.mark.parametrize("name", ["topic", "services"])
def test_schemas_are_valid_draft_07(name):
    schema = _schema(name)
    assert schema["$schema"] == "http://json-schema.org/draft-07/schema#"
    jsonschema.Draft7Validator.check_schema(schema)


def test_topic_schema_uses_the_catalogue_and_the_loaders_rules():
    schema = _schema("topic")
    assert schema["properties"]["topic"]["enum"] == list(TOPICS)
    assert schema["properties"]["follow_up"]["items"]["enum"] == list(TOPICS)
    assert schema["properties"]["group"]["enum"] == list(GROUPS)
    assert schema["properties"]["languages"]["propertyNames"]["enum"] == list(LANGUAGES)
    assert schema["properties"]["languages"]["required"] == list(LANGUAGES)
    assert schema["definitions"]["url"]["pattern"] == URL_RE.pattern
    assert schema["definitions"]["translation"]["properties"]["answer"]["maxLength"] == MAX_ANSWER
    groups = {
        rule["then"]["properties"]["group"]["const"]: rule["if"]["properties"]["topic"]["enum"]
        for rule in schema["allOf"]
        if "then" in rule
    }
    assert groups == {g: list(ids) for g, ids in GROUPS.items()}


def test_services_schema_uses_the_loaders_rules():
    schema = _schema("services")
    assert schema["definitions"]["url"]["pattern"] == URL_RE.pattern
    assert schema["definitions"]["phone"]["anyOf"][0]["pattern"] == PHONE_RE.pattern
    assert schema["definitions"]["service"]["properties"]["kind"]["enum"] == list(SERVICE_KINDS)
    required = [
        rule["contains"]["properties"]["kind"]["const"]
        for rule in schema["properties"]["services"]["allOf"]
    ]
    assert required == list(REQUIRED_SERVICE_KINDS)


@pytest.mark.parametrize(
    "path", sorted((ROOT / "content" / "topics").glob("*.yml")), ids=lambda p: p.name
)
def test_every_shipped_topic_file_validates(path):
    assert _errors("topic", path.read_text(encoding="utf-8")) == []


@pytest.mark.parametrize(
    "path", sorted((ROOT / "content" / "services").glob("*.yml")), ids=lambda p: p.name
)
def test_every_shipped_services_file_validates(path):
    assert _errors("services", path.read_text(encoding="utf-8")) == []


def _topic() -> str:
    return TOPIC_HEAD + languages()


BROKEN_TOPICS = {
    "unknown topic id": ("topic: asylum_basics", "topic: asylum_basic"),
    "wrong group": ("group: asylum", "group: risks"),
    "typo in a key": ("    answer: An answer.\n", "    answr: An answer.\n"),
    "malformed URL": ("https://www.unhcr.org/", "www.unhcr.org"),
    "date as day/month/year": ("2099-01-01", "01/01/2099"),
    "unknown language": ("  uk:\n", "  ua:\n"),
    "answer too long": ("    answer: An answer.\n", f"    answer: {'x' * (MAX_ANSWER + 1)}\n"),
    "no sources": ("sources:\n  - name: UNHCR\n    url: https://www.unhcr.org/\n", "sources: []\n"),
    "no writer": ("  written_by: Tester\n", ""),
    "dated fact without a day": (
        "needs_verification: []\n",
        "needs_verification: []\ndated_facts:\n  - fact: a rule\n    source: https://www.unhcr.org/\n",
    ),
    "dated fact without a source": (
        "needs_verification: []\n",
        "needs_verification: []\ndated_facts:\n  - fact: a rule\n    ends_on: 2030-01-01\n",
    ),
    "native review without a date": (
        "    native_review: false\n",
        "    native_review: {reviewed_by: AB}\n",
    ),
}


def test_schema_accepts_what_the_loader_accepts_for_reviews_and_dated_facts(tmp_path):
    good = (
        _topic()
        .replace(
            "needs_verification: []\n",
            "needs_verification: []\ndated_facts:\n  - fact: a rule\n    starts_on: 2025-07-01\n"
            "    source: https://eur-lex.europa.eu/eli/reg/2024/1351/oj\n",
        )
        .replace(
            "  expires_on: 2099-01-01\n",
            "  verified_by: legal adviser (AB)\n  verified_on: 2026-01-02\n"
            "  verified_languages: [en, ar]\n  expires_on: 2099-01-01\n",
        )
        .replace(
            "    native_review: false\n",
            "    native_review: {reviewed_by: AB, reviewed_on: 2026-01-03}\n",
            1,
        )
    )
    assert _errors("topic", good) == []
    (tmp_path / "topics").mkdir()
    (tmp_path / "topics" / "asylum_basics.yml").write_text(good, encoding="utf-8")
    content, problems = load(tmp_path)
    assert not [
        p for p in problems if p.path.name == "asylum_basics.yml" and p.severity != "unverified"
    ]
    topic = content.topics["asylum_basics"]
    assert topic.verified("ar") and not topic.verified("fa")
    assert topic.translations["en"].native_reviewed_by == "AB"


@pytest.mark.parametrize("kind", list(BROKEN_TOPICS))
def test_schema_and_loader_reject_the_same_topic_mistakes(tmp_path, kind):
    good = _topic()
    old, new = BROKEN_TOPICS[kind]
    assert old in good
    broken = good.replace(old, new, 1)
    assert _errors("topic", good) == []
    assert _errors("topic", broken), f"the schema accepts: {kind}"
    (tmp_path / "topics").mkdir()
    (tmp_path / "topics" / "asylum_basics.yml").write_text(broken, encoding="utf-8")
    _, problems = load(tmp_path)
    mine = [
        p
        for p in problems
        if p.path.name == "asylum_basics.yml" and p.severity in ("error", "warning")
    ]
    assert mine, f"the loader accepts: {kind}"


GOOD_SERVICES = textwrap.dedent("""\
    country: IT
    aliases: [italia]
    emergency:
      number: "112"
      source: https://digital-strategy.ec.europa.eu/en/policies/112
      verified_on: 2026-11-22
      needs_verification: false
    services:
      - {kind: unhcr, name: UNHCR, url: https://help.unhcr.org/italy/, source: https://help.unhcr.org/italy/, verified_on: 2026-11-22, needs_verification: false}
      - {kind: iom, name: IOM, url: https://italy.iom.int/, source: https://italy.iom.int/, verified_on: 2026-11-22, needs_verification: false}
      - {kind: asylum_authority, name: Ministry, url: https://www.interno.gov.it/, source: https://www.interno.gov.it/, verified_on: 2026-11-22, needs_verification: false}
      - {kind: legal_aid, name: CIR, url: https://www.cir-onlus.org/, source: https://www.cir-onlus.org/, needs_verification: true, verified_on: null, note: check it}
    """)

BROKEN_SERVICES = {
    "malformed phone": ('number: "112"', 'number: "11-two"'),
    "missing required kind": (
        "  - {kind: iom, name: IOM, url: https://italy.iom.int/, source: https://italy.iom.int/, "
        "verified_on: 2026-11-22, needs_verification: false}\n",
        "",
    ),
    "confirmed entry without date": (
        "source: https://italy.iom.int/, verified_on: 2026-11-22,",
        "source: https://italy.iom.int/,",
    ),
    "unknown kind": ("kind: iom", "kind: ngo"),
    "number without source": (
        "  source: https://digital-strategy.ec.europa.eu/en/policies/112\n",
        "",
    ),
    "typo in a key": ("  verified_on: 2026-11-22\n  needs", "  verifed_on: 2026-11-22\n  needs"),
}


@pytest.mark.parametrize("kind", list(BROKEN_SERVICES))
def test_schema_and_loader_reject_the_same_services_mistakes(tmp_path, kind):
    old, new = BROKEN_SERVICES[kind]
    assert old in GOOD_SERVICES
    broken = GOOD_SERVICES.replace(old, new, 1)
    assert _errors("services", GOOD_SERVICES) == []
    assert _errors("services", broken), f"the schema accepts: {kind}"
    (tmp_path / "services").mkdir()
    (tmp_path / "services" / "it.yml").write_text(broken, encoding="utf-8")
    _, problems = load(tmp_path)
    mine = [p for p in problems if p.path.name == "it.yml" and p.severity in ("error", "warning")]
    assert mine, f"the loader accepts: {kind}"


def test_vscode_maps_the_schemas_to_the_content_folders():
    settings = json.loads((ROOT / ".vscode" / "settings.json").read_text(encoding="utf-8"))
    schemas = settings["yaml.schemas"]
    assert "content/topics/*.yml" in schemas["./content/schema/topic.schema.json"]
    assert "content/services/*.yml" in schemas["./content/schema/services.schema.json"]


def test_no_list_item_swallowed_the_next_one():
    """An example pasted without its line break ("... centre      - a man ...") is read as one
    example that teaches the model two things at once; the YAML stays valid, so look for it."""
    import re

    joined = re.compile(r"^\s*- .*\S\s{4,}- \S")
    found = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in sorted((ROOT / "content").rglob("*.yml"))
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if joined.match(line)
    ]
    assert not found, found

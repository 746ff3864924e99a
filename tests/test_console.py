"""The staff console's parts without a server: masking, the daily counts, password hashes,
sessions, login limits, grouping, suggestion files, charts, staff accounts and catalogs."""

from __future__ import annotations

import ast
import datetime as dt
import io
import re
import time
from pathlib import Path

import pytest
import yaml

from bot.console import auth, charts, grouping, passwords, suggest, users
from bot.console.pages import LANGUAGES, Reach, t, translator
from bot.console.record import UNSURE, Recorder, closest_topics, today
from bot.console.store import ConsoleStore, Question
from bot.console.views import reach_of
from bot.messages import Answer, Incoming, Reply
from bot.privacy import mask_for_staff
from bot.settings import Settings

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def store(tmp_path):
    found = ConsoleStore.in_dir(tmp_path)
    found.add_staff("amina", "scrypt$x")  # the console is on
    yield found
    found.close()


# -- masking -----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "hidden", "kept"),
    [
        ("call me on +39 333 123 4567 please", "333 123", "[number]"),
        ("write to ahmad.k@example.com", "ahmad", "[email]"),
        ("my name is John Smith and I need a lawyer", "John", "[name] and I need a lawyer"),
        ("اسمي محمد علي من سوريا", "محمد", "[name] من سوريا"),
        ("je m'appelle Fatou, j'ai perdu mon titre", "Fatou", "[name]"),
        ("mera naam Ali hai", "Ali", "[name]"),
        ("I lost my passport AB1234567 in Athens", "AB1234567", "[document] in Athens"),
        ("residence permit L898902C3", "L898902C3", "[document]"),
        ("case number 1234567", "1234567", "[document]"),
    ],
)
def test_questions_for_staff_are_masked(text, hidden, kept):
    masked = mask_for_staff(text)
    assert hidden not in masked
    assert kept in masked


@pytest.mark.parametrize(
    "text", ["3ayez asafer 3la italia", "covid-19 test", "bus 42 to the camp", "what is dublin"]
)
def test_masking_leaves_ordinary_words_alone(text):
    assert mask_for_staff(text) == text


# -- what is recorded, and the counts ----------------------------------------------------------
def answer(topic: str, confidence: float, language: str = "en", emergency=False) -> Answer:
    return Answer("u", "x", language, topic, confidence, [Reply("...")], emergency)


def test_fallbacks_and_unsure_answers_are_kept_masked_and_without_who_asked(store):
    recorder = Recorder(store)
    parse = {
        "intent": {"name": "nlu_fallback", "confidence": 0.2},
        "intent_ranking": [
            {"name": "nlu_fallback", "confidence": 0.7},
            {"name": "find_help", "confidence": 0.2},
            {"name": "asylum_basics", "confidence": 0.1},
        ],
    }
    message = Incoming("telegram-user-99", "pizza recipe? call +39 333 123 4567", "telegram")
    recorder.heard("pizza recipe? call [number]", parse, {"language": "en"}, "telegram", "fallback")
    recorder.answered(message, answer("fallback", 0.0))
    recorder.answered(Incoming("u2", "how do i apply", "rest"), answer("asylum_basics", 0.97))
    recorder.answered(Incoming("u3", "quel temps", "rest"), answer("find_help", UNSURE - 0.1, "fr"))
    recorder.answered(Incoming("u4", "/menu", "rest"), answer("fallback", 0.0))  # a command
    recorder.answered(
        Incoming("u5", "help!!", "rest"), answer("emergency_general", 1.0, "en", True)
    )
    recorder.answered(Incoming("me", "what now", "console"), answer("fallback", 0.0))  # staff
    recorder.flush()
    kept = store.questions()
    assert [q.text for q in kept] == ["quel temps", "pizza recipe? call [number]"]
    assert kept[1].topics == [("find_help", 0.2), ("asylum_basics", 0.1)]
    assert (kept[1].reason, kept[0].reason, kept[0].language) == ("fallback", "unsure", "fr")
    assert kept[0].topics == []  # no parse for this message: nothing borrowed from another
    assert kept[1].confidence == 0.2  # of the nearest topic, not of the fallback
    for cols in store.column_names().values():
        assert not {"user", "key", "user_key", "sender", "channel"} & set(cols)
    raw = store.path.read_bytes()
    assert b"telegram-user-99" not in raw and b"333 123" not in raw


def test_the_store_is_written_in_the_recorders_own_thread_not_the_callers(store):
    import threading

    writers: list[str] = []
    count = store.count

    def counting(*args):
        writers.append(threading.current_thread().name)
        count(*args)

    store.count = counting
    recorder = Recorder(store)
    recorder.answered(Incoming("u", "how do i apply", "rest"), answer("asylum_basics", 0.97))
    recorder.close()  # writes what is left first
    assert writers and all(name.startswith("masar-console") for name in writers)
    assert reach_of(store).messages == 1


def test_nothing_is_kept_or_counted_while_the_console_is_off(tmp_path):
    store = ConsoleStore.in_dir(tmp_path)
    recorder = Recorder(store)
    recorder.answered(Incoming("u", "pizza recipe", "rest"), answer("fallback", 0.0))
    recorder.flush()
    assert store.questions() == [] and store.counts(dt.date(2000, 1, 1)) == []


def test_collection_can_be_turned_off(store):
    recorder = Recorder(store, collect_questions=False)
    recorder.answered(Incoming("u", "pizza recipe", "rest"), answer("fallback", 0.0))
    recorder.flush()
    assert store.questions() == []
    assert reach_of(store).messages == 1  # counting goes on


def test_reach_adds_up_the_days_counts_never_people(store):
    recorder = Recorder(store)
    for language, topic, confidence in [
        ("en", "asylum_basics", 0.9),
        ("ar", "asylum_basics", 0.9),
        ("ar", "fallback", 0.0),
        ("fa", "offer_check", 1.0),
    ]:
        recorder.answered(
            Incoming("same-person", "a question", "telegram"), answer(topic, confidence, language)
        )
    recorder.answered(
        Incoming("p", "help", "whatsapp"), answer("emergency_at_sea", 1.0, "ar", emergency=True)
    )
    recorder.heard("where", {}, {"country": "IT", "language": "ar"}, "telegram", "find_help")
    recorder.flush()
    store.count(today() - dt.timedelta(days=40), [("messages", "all")])  # too old
    data = reach_of(store, days=30)
    assert (data.messages, data.fallbacks, data.emergencies, data.offers) == (5, 1, 1, 1)
    assert data.by["language"] == [("ar", 3), ("en", 1), ("fa", 1)]
    assert data.by["channel"] == [("telegram", 4), ("whatsapp", 1)]
    assert data.by["country"] == [("IT", 1)]
    assert data.daily["language"][today().isoformat()] == {"ar": 3, "en": 1, "fa": 1}
    assert data.per_day[-1][1:] == (5, 1) and len(data.per_day) == 30
    kinds = {row[1] for row in store.counts(dt.date(2000, 1, 1))}
    assert kinds <= {
        "messages",
        "channel",
        "language",
        "topic",
        "fallback",
        "emergency",
        "offer_check",
        "country",
        "handover",
    }


def test_old_questions_are_deleted_after_the_retention_period(store):
    old = today() - dt.timedelta(days=31)
    store.add_question(old, "old", "en", 0.1, [], "fallback")
    store.add_question(today(), "new", "en", 0.1, [], "fallback")
    assert Recorder(store).purge(30) == 1
    assert [q.text for q in store.questions()] == ["new"]


def test_closest_topics_leave_out_the_fallback():
    parse = {
        "intent_ranking": [
            {"name": "nlu_fallback", "confidence": 0.5},
            {"name": "greet", "confidence": 0.3333},
        ]
    }
    assert closest_topics(parse) == [("greet", 0.333)]


# -- passwords, sessions, limits ---------------------------------------------------------------
def test_passwords_are_salted_scrypt_hashes_checked_in_constant_time():
    first, second = (
        passwords.hash_password("a long passphrase"),
        passwords.hash_password("a long passphrase"),
    )
    assert first != second  # one salt each
    kind, log2_n, r, p, _salt, _digest = first.split("$")
    assert (kind, int(log2_n), int(r), int(p)) == ("scrypt", 17, 8, 1)
    assert passwords.verify("a long passphrase", first)
    assert not passwords.verify("a long passphrasE", first)
    assert not passwords.verify("anything", None)  # unknown name: still a hash, still False
    assert not passwords.verify("anything", "md5$abc")
    assert passwords.weakness("short") and passwords.weakness("aaaaaaaaaaaaaaa")
    assert passwords.weakness("four words make a passphrase") is None


def test_sessions_expire_end_and_are_stored_hashed(store):
    store.add_staff("amina", "scrypt$x")
    sessions = auth.Sessions(store, hours=1)
    token, staff = sessions.start("amina")
    assert sessions.find(token) == staff and staff.name == "amina"
    assert token.encode() not in store.path.read_bytes()
    assert sessions.find(token + "x") is None and sessions.find(None) is None
    sessions.end(token)
    assert sessions.find(token) is None
    short = auth.Sessions(store, hours=0.5 / 3600)  # half a second
    token, _ = short.start("amina")
    time.sleep(0.6)
    assert short.find(token) is None
    token, _ = sessions.start("amina")
    store.remove_staff("amina")
    assert sessions.find(token) is None  # a removed account's sessions end with it
    assert sessions.cookie_options() == {
        "path": "/console",
        "httponly": True,
        "secure": False,
        "samesite": "Strict",
        "max_age": 3600,
    }
    assert auth.Sessions(store, secure=True).cookie_options()["secure"] is True


def test_csrf_tokens_must_match():
    assert auth.same_token("abc", "abc")
    assert not auth.same_token("abc", "abd")
    assert not auth.same_token(None, "abc") and not auth.same_token("", "")


def test_failed_logins_are_limited_per_key_within_the_window():
    limit = auth.LoginLimit(failures=3, window=0.5)
    for _ in range(3):
        assert not limit.blocked(["name:a"])
        limit.failed(["name:a"])
    assert limit.blocked(["name:a"]) and not limit.blocked(["name:b"])
    time.sleep(0.6)
    assert not limit.blocked(["name:a"])


# -- staff accounts ------------------------------------------------------------------------------
def test_staff_accounts_from_the_command_line(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr("sys.stdin", io.StringIO("too short\n"))
    assert users.main("add-user", "amina", True, tmp_path) == 1
    monkeypatch.setattr("sys.stdin", io.StringIO("a long staff passphrase\n"))
    assert users.main("add-user", "amina", True, tmp_path) == 0
    assert users.main("add-user", "no spaces allowed", True, tmp_path) == 2
    assert users.main("list-users", None, False, tmp_path) == 0
    assert "amina\t" in capsys.readouterr().out
    store = ConsoleStore.in_dir(tmp_path)
    assert passwords.verify("a long staff passphrase", store.password_hash("amina"))
    assert users.main("remove-user", "amina", False, tmp_path) == 0
    assert users.main("remove-user", "amina", False, tmp_path) == 1
    assert not store.has_staff()
    assert oct(store.path.stat().st_mode)[-3:] == "600"


def test_the_console_is_configured_through_the_environment():
    settings = Settings.from_env(
        {
            "MASAR_CONSOLE_SECURE_COOKIE": "true",
            "MASAR_CONSOLE_QUESTIONS": "false",
            "MASAR_CONSOLE_SESSION_HOURS": "2",
        }
    )
    assert settings.console_secure_cookie and not settings.console_questions
    assert settings.console_session_hours == 2
    default = Settings.from_env({})
    assert not default.console_secure_cookie and default.console_questions


# -- grouping, suggestions, charts ---------------------------------------------------------------
def q(i: int, text: str, language: str = "en", topics=(("find_help", 0.3),)) -> Question:
    return Question(i, "2026-12-02", text, language, 0.2, list(topics), "fallback", "new", None)


def test_similar_questions_are_grouped_per_language():
    groups = grouping.group(
        [
            q(1, "where can i find a lawyer in athens"),
            q(2, "where can i find lawyer in athens?"),
            q(3, "pizza recipe with mozzarella"),
            q(4, "where can i find a lawyer in athens", "fr"),
        ]
    )
    assert [g.ids for g in groups] == [[1, 2], [3], [4]]
    assert groups[0].topics == ["find_help"]


def test_a_suggestion_is_a_file_for_review_outside_the_topics(tmp_path):
    (tmp_path / "topics").mkdir()
    path = suggest.write(tmp_path, "find_help", "ar", ["وين في محامي؟ [number]"], "amina")
    assert path.parent == tmp_path / "suggestions"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert data["topic"] == "find_help" and data["examples"] == ["وين في محامي؟ [number]"]
    assert data["status"] == "to review"
    assert list((tmp_path / "topics").iterdir()) == []


def test_charts_are_inline_svg_with_their_numbers():
    svg = charts.bars([("ar", 12), ("en", 3)], "By language")
    assert svg.startswith("<svg") and ">12<" in svg and "<script" not in svg
    assert "http" not in svg.replace('xmlns="http://www.w3.org/2000/svg"', "")
    days = charts.columns([("2026-12-01", 10, 2), ("2026-12-02", 4, 0)], "Per day")
    assert days.count("<rect") == 3 and "12-01" in days
    assert charts.bars([], "empty") == "" and charts.columns([], "empty") == ""
    assert Reach(30, 0, 0, 0, 0, 0, [], {}).messages == 0


# -- the console's languages, and what /privacy says ---------------------------------------------
def console_messages() -> set[str]:
    found = set()
    for path in (ROOT / "bot" / "console").glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and (
                    getattr(node.func, "id", None) == "t" or getattr(node.func, "attr", None) == "t"
                )
                and len(node.args) >= 2
                and isinstance(node.args[1], ast.Constant)
            ):
                found.add(node.args[1].value)
    return found


@pytest.mark.parametrize("language", [code for code in LANGUAGES if code != "en"])
def test_every_console_string_is_translated(language):
    messages = console_messages()
    assert len(messages) > 40
    catalog = translator(language)
    for message in messages:
        translated = catalog.gettext(message)
        assert translated != message or message in {"Messages", "Message"}, message
        assert set(re.findall(r"\{\w+\}", translated)) == set(re.findall(r"\{\w+\}", message)), (
            message
        )
    assert t("ar", "Reach") == "الوصول"


def test_privacy_answer_says_staff_may_read_what_masar_could_not_answer():
    from bot.content.loader import load

    content = load(ROOT / "content")[0]
    topic = content.topics["privacy"]
    english = topic.translations["en"].answer
    assert "questions Masar could not answer may be read by staff" in english
    assert "without knowing who asked" in english
    assert len(topic.translations) == 12
    for language, entry in topic.translations.items():  # one sentence more in every language
        assert entry.answer.count("/forget") == 1, language
        english_sentences = len(re.findall(r"[.!?।።۔]", english))
        assert len(re.findall(r"[.!?।።۔]", entry.answer)) == english_sentences == 4, language

"""The Masar engine: one message in, localized answers out, for every channel.

Order of work for each message, and why:
1. clean the text (odd Unicode, huge messages) so nothing downstream can crash on it;
2. the emergency net, before anything else, so an emergency never depends on the model,
   on the state the conversation is in, or on the conversation store working: its answer is
   rendered here from content and only then recorded (a failing store is logged, not felt);
3. commands and buttons (/start, /language fa, /country IT, /menu, /forget ...);
4. the language to answer in (detection weighed against the conversation's language);
5. Rasa: the NLU pipeline and the rule policy pick the topic, and the content renderer
   (a Rasa NaturalLanguageGenerator) writes the answer from content/ in that language; text
   with almost no word Masar knows (random scripts, mashing, binary; bot/noise.py) is sent
   to the fallback instead, since a classifier always names its nearest topic.
Every turn, including commands and emergencies, goes through Rasa as an intent, so the
conversation (and the language/country of each turn, as metadata) is in one store. When the
store or the model fails, the user gets a short apology in their language, never an error.

The work that costs CPU (patterns, language detection, the offer check, Rasa's NLU pipeline
with the sentence embedding) runs in worker threads, never on the event loop: Rasa parses
synchronously inside its async handler, so a message parsed there would stop every other
conversation, every webhook and /health while it is read. The engine parses in a worker and
hands Rasa the result (`UserMessage(parse_data=...)`, which Rasa then uses as it is). Two
lanes: messages longer than LONG_MESSAGE characters (pasted adverts, and the
hostile inputs that cost most) are read in their own lane, so a normal question never waits
behind them; it only shares the CPU with them. The short lane has a thread per core
(MASAR_READING_THREADS): the sentence embedding, most of a message's CPU, runs in C without
Python's lock, so two messages are embedded at once on two cores. Messages start in the order
they came; one user's messages still take turns (their place in line, below).

A message costs one read and one write of the conversation store: under the conversation's
lock (Rasa's lock store), the engine reads the last session once, takes the state it needs
from it (language, country, previous topic), and hands the same tracker to Rasa's processor
(`_converse`) instead of letting `Agent.handle_message` read it again. A session ends after
the domain's idle time (build.SESSION_MINUTES) or SESSION_EVENTS events, and the store reads
only the last one, so turn 300 of a conversation costs what turn 3 does; the language and
country carry over to the new session. (An emergency is answered before the store is asked,
and recorded afterwards through Rasa's own path.)
"""

from __future__ import annotations

import asyncio
import functools
import logging
import re
import threading
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from rasa.core.agent import Agent
from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.nlg.generator import NaturalLanguageGenerator
from rasa.core.policies.policy import PolicyPrediction
from rasa.shared.core.constants import ACTION_SESSION_START_NAME
from rasa.shared.core.events import ActionExecuted
from rasa.shared.core.trackers import DialogueStateTracker

from . import build, dialogue, privacy
from .answers import EMERGENCY_TOPICS, Renderer, Situation, topic_button
from .console import hook as console
from .content.catalogue import LANGUAGES, TOPICS
from .content.loader import load as load_content
from .content.models import Content
from .conversation_store import (
    Place,
    StoreInThreads,
    StoreUnavailable,
    Turn,
    create_lock_store,
    create_tracker_store,
    create_turns,
    delete_conversation,
    latest_turn,
    purge_older_than,
)
from .i18n import _, launch_language
from .language import choose_language, detect
from .language import use_model as use_language_model
from .language import warm_up as load_language_models
from .locations import country_index, mentioned_country_name, stated_country
from .logs import describe, error_fields
from .messages import Answer, Button, Incoming, Reply, command_of
from .nlu.context import carried_over, looks_like_follow_up
from .nlu.embeddings import MAX_CHARS as MAX_EMBEDDED_CHARS
from .noise import Vocabulary, content_vocabulary
from .pasted import pasted
from .safety.emergency import MODEL, Alarm, load_net
from .safety.offers import OfferCheck, load_checker, looks_like_advert
from .safety.render import protection_replies, with_offer_check
from .safety.trafficking import Sign, load_signs
from .settings import Settings

logger = logging.getLogger(__name__)
T = TypeVar("T")

# What Rasa's NLU reads of a message: as much as the sentence embedding reads (more only made
# the character n-grams cost more, up to 5x a normal question, without changing the topic).
NLU_TEXT = MAX_EMBEDDED_CHARS
# commands and buttons that mean "emergency": answered like a cry for help, store or not
EMERGENCY_COMMANDS = {
    "emergency": "emergency_general",
    "emergency_general": "emergency_general",
    "emergency_at_sea": "emergency_at_sea",
}
# "The same" / "also" in the launch languages and romanised Arabic and Urdu: with a country and
# few words, a question about the previous answer's topic in another country.
_SAME = re.compile(
    r"(?<!\w)(?:same|also|too|as well|nafs|kaman|kamen|zay|zei|متل|مثل|نفس|كمان|برضو|"
    r"همینطور|همین|هم همین|همداسې|هم داسې|ከምኡ|ድማ|sidoo kale|isla|même|aussi|pareil|igual|"
    r"mismo|misma|también|aynı|ayni|de mi|da mı|da mi|de mı|bhi|بھی|isi tarah|ایسے ہی|একই|"
    r"ও কি|так само|теж|також)(?!\w)"
)
STATE_PATIENCE = 0.3  # seconds an emergency waits for the conversation's language and country
RECORD_PATIENCE = 0.5  # seconds an emergency waits for its turn to be stored
HINTS = 10_000  # conversations whose language and country this process remembers
# the emergency model's score above which danger now outranks a sign of trafficking
SURE_DANGER = 0.8
# Below this score of the emergency model, a topic the classifier is at least SURE_TOPIC sure
# of is answered instead (with the emergency numbers first). On the chat sets no emergency the
# model caught had a score below 0.7 together with another topic at 0.55 or more; 21 of 25 false
# alarms did (docs/benchmarks/chat-2026-12-02.md).
UNSURE_DANGER = 0.7
SURE_TOPIC = 0.55
TOPIC_PATIENCE = 1.0  # seconds the emergency check waits for the topic classifier, at most
LONG_MESSAGE = 500  # characters; longer messages are read in their own lane (see above)
LONG_PATIENCE = 2.0  # seconds a long message's step gives way to short ones, at most
# Events of one session (about four per turn) after which the next turn starts a new session:
# the store reads the last session only, so the cost of a turn does not grow with the talk.
SESSION_EVENTS = 80


def one_message(replies: list[Reply]) -> Reply:
    """Rendered replies as Rasa's NLG hands them over: one message, all buttons under it."""
    return Reply("\n\n".join(r.text for r in replies), [b for r in replies for b in r.buttons])


class _Collector(CollectingOutputChannel):
    """Keeps each bot message whole, with the action that produced it (its topic)."""

    async def send_response(self, recipient_id: str, message: dict) -> None:
        self.messages.append(dict(message))


class ContentGenerator(NaturalLanguageGenerator):
    """Rasa's NLG, backed by content/: renders `utter_<topic>` in the turn's language."""

    def __init__(self, renderer: Renderer) -> None:
        self.renderer = renderer

    async def generate(
        self, utter_action: str, tracker, output_channel: str, **kwargs: Any
    ) -> dict | None:
        topic = build.topic_of(utter_action)
        meta = latest_turn(tracker)
        ranking = tuple(
            r.get("name")
            for r in (tracker.latest_message.parse_data or {}).get("intent_ranking", [])
        )
        parse = tracker.latest_message.parse_data or {} if tracker.latest_message else {}
        situation = Situation(
            meta.get("language") or "en",
            meta.get("country"),
            ranking,
            about=meta.get("mentioned_country"),
            follow_up=bool(parse.get("follow_up")),
            sibling=parse.get("sibling"),
        )
        replies = self.renderer.topic(topic, situation) if topic else []
        if not replies:
            return None
        message = one_message(replies)
        return {
            "text": message.text,
            "buttons": [{"title": b.title, "payload": b.payload} for b in message.buttons],
        }


@dataclass
class Reading:
    """What the engine reads from a message (in the worker thread) before choosing an answer."""

    language: str
    country: str | None  # where the user is
    mentioned: str | None  # a country the message only mentions
    only_a_country: bool
    offer: OfferCheck
    advert: bool
    sign: Sign | None
    masked: str  # the text as Rasa reads it: personal details masked, cut to NLU_TEXT
    little_but_a_country: bool  # see Engine.names_little_but_a_country


class Engine:
    """Holds the loaded content and model; `handle()` is safe to call from any channel."""

    def __init__(
        self, settings: Settings, content: Content, agent: Agent, renderer: Renderer, secret: bytes
    ) -> None:
        self.settings = settings
        self.content = content
        self.agent = agent
        # one message of a user at a time, in the order they arrived, across instances
        self.turns = create_turns(settings.redis_url)
        self.renderer = renderer
        self.secret = secret
        self.emergency = load_net(settings.content_dir, settings.build_dir, content)
        self.offers, self.trafficking = (
            load_checker(settings.content_dir),
            load_signs(settings.content_dir),
        )
        self._countries = self._country_index(content)
        self.model_path: Path | None = None
        # The language and country of recent conversations, as last seen by this process: only
        # a stand-in for the store when an emergency cannot wait for it (keyed hashes, no text).
        self._hints: OrderedDict[str, Turn] = OrderedDict()
        # CPU work off the event loop, in two lanes (see the module's docstring); each thread
        # keeps its own event loop for Rasa's parse coroutine, which awaits nothing there.
        self._lanes = {
            long: ThreadPoolExecutor(
                max_workers=workers, thread_name_prefix=f"masar-reading-{name}"
            )
            for long, name, workers in ((False, "short", settings.readers()), (True, "long", 1))
        }
        self._worker_state = threading.local()
        self._reading_short = 0  # short messages' steps in (or waiting for) their lane
        self._vocabulary: Vocabulary | None = None

    async def _off_loop(self, work: Callable[..., T], *args: Any, long: bool = False) -> T:
        """Run `work(*args)` in a worker thread (the lane for long messages if `long`); the
        event loop serves others meanwhile. A long message's step waits (at most
        LONG_PATIENCE seconds) until no short message is being read: both lanes share
        Python's interpreter lock, so a step run alongside would slow the short ones down."""
        loop = asyncio.get_running_loop()
        if long:
            until = loop.time() + LONG_PATIENCE
            while self._reading_short and loop.time() < until:
                await asyncio.sleep(0.01)
            return await loop.run_in_executor(self._lanes[True], functools.partial(work, *args))
        self._reading_short += 1
        try:
            return await loop.run_in_executor(self._lanes[False], functools.partial(work, *args))
        finally:
            self._reading_short -= 1

    def _parse(self, text: str, key: str, channel: str, meta: Turn) -> dict:
        """Rasa's NLU pipeline on one message (in the worker thread)."""
        loop = getattr(self._worker_state, "loop", None)
        if loop is None:
            loop = self._worker_state.loop = asyncio.new_event_loop()
        message = UserMessage(text, None, key, input_channel=channel, metadata=meta)
        return loop.run_until_complete(self.agent.processor.parse_message(message))

    async def warm_up(self) -> None:
        """Load the language identifier's models and run the NLU pipeline once (lazy parts,
        graph tracing), so that the first person does not wait for them."""
        await self._off_loop(load_language_models)
        await self._off_loop(lambda: self.vocabulary)  # the noise check's words, likewise
        await self._off_loop(self._parse, "hello", "warm-up", "warm-up", Turn(language="en"))

    @property
    def vocabulary(self) -> Vocabulary:
        """Every word of the content (bot/noise.py), built at first use (a second or two)."""
        if self._vocabulary is None:
            self._vocabulary = content_vocabulary(self.content, self.settings.content_dir)
        return self._vocabulary

    # -- loading ----------------------------------------------------------------------------
    @classmethod
    def load(cls, settings: Settings, *, in_memory: bool = False, train: bool = True) -> Engine:
        """Load content and the model for it (training first if content or config changed)."""
        use_language_model(settings.language_model)
        content, problems = load_content(settings.content_dir)
        errors = [p for p in problems if p.severity == "error"]
        if errors:
            logger.warning(
                "content has %d problems; run `masar content check` (serving what loaded)",
                len(errors),
            )
        model = build.current_model(settings)
        if train:
            model = build.train_model(settings, content).model
        if model is None:
            raise build.BuildError("no trained model: run `masar train`")
        renderer = Renderer(content, settings.enforce_review_expiry)
        agent = Agent.load(
            str(model),
            generator=ContentGenerator(renderer),
            lock_store=create_lock_store(settings.redis_url),
        )
        agent.tracker_store = create_tracker_store(
            agent.domain,
            settings.tracker_store_url,
            settings.redis_url,
            settings.data_dir,
            in_memory,
            settings.retention_days,
        )
        agent.processor.tracker_store = agent.tracker_store
        engine = cls(
            settings,
            content,
            agent,
            renderer,
            privacy.load_secret(settings.user_key_secret, settings.data_dir),
        )
        engine.model_path = model
        return engine

    def reload(self) -> bool:
        """Reload content and retrain if needed; on any failure keep serving what we have.

        Returns True when the new content (and model) is live. Content problems never stop
        the bot: a broken file is left out by the loader, and a failed training keeps the
        last good model.
        """
        try:
            content, _problems = load_content(self.settings.content_dir)
            result = build.train_model(self.settings, content)
            if result.model != self.model_path:
                renderer = Renderer(content, self.settings.enforce_review_expiry)
                agent = Agent.load(
                    str(result.model),
                    generator=ContentGenerator(renderer),
                    tracker_store=self.agent.tracker_store,
                    lock_store=self.agent.lock_store,
                )
                self.agent, self.model_path = agent, result.model
            else:
                renderer = Renderer(content, self.settings.enforce_review_expiry)
                self.agent.nlg = self.agent.processor.nlg = ContentGenerator(renderer)
            self.content, self.renderer = content, renderer
            self.emergency = load_net(self.settings.content_dir, self.settings.build_dir, content)
            self.offers, self.trafficking = (
                load_checker(self.settings.content_dir),
                load_signs(self.settings.content_dir),
            )
            self._countries = self._country_index(content)
            self._vocabulary = None
            return True
        except Exception:
            logger.exception("reload failed; still serving the previous content and model")
            return False

    @staticmethod
    def _country_index(content: Content) -> dict[str, str]:
        return country_index(content)

    def where(
        self, text: str, state: Turn, emergency: bool = False
    ) -> tuple[str | None, str | None]:
        """(the country the user is in, a country the message only mentions).

        The user is where they chose (/country, a shared location) or say they are ("I am in
        Tunisia"); a country named any other way ("my husband got refugee status in Germany")
        is only mentioned and never replaces it: emergency numbers follow the user. In an
        emergency message, a place the user is near ("sinking near Lampedusa, Italy") counts.
        """
        return self._where(text, state, self._country_name(text), emergency)

    def _where(
        self, text: str, state: Turn, named: tuple[str, str] | None, emergency: bool = False
    ) -> tuple[str | None, str | None]:
        """`where()`, with the country named in the text already looked up (`_country_name`)."""
        here = stated_country(text, self._countries, emergency=emergency)
        mentioned = named[0] if named else None
        if (
            here is None
            and mentioned
            and state.get("previous_topic") == "find_help"
            and len(text.split()) <= 3
        ):  # "italy", answering "which country are you in?"
            here = mentioned
        return here or state.get("country"), (mentioned if mentioned != here else None)

    def _only_a_country(self, text: str, state: Turn, named: tuple[str, str] | None) -> bool:
        """True for a message that is just a country's name ("italy", "in Italy") that does
        not continue the previous answer (after the asylum answer, "Jarmalkana?" asks about
        asylum in Germany: see `names_little_but_a_country`)."""
        words = text.split()
        return (
            0 < len(words) <= 2
            and not looks_like_follow_up(text)
            and not (
                carried_over(state.get("previous_topic"))
                and state.get("previous_topic") != "find_help"
            )
            and bool(named)
        )

    def _country_name(self, text: str) -> tuple[str, str] | None:
        """(code, the name as written) of a country of the directory named in the text."""
        return mentioned_country_name(text, self._countries)

    def find_country(self, text: str) -> str | None:
        """A country of the services directory named in the text, in any language."""
        found = self._country_name(text)
        return found[0] if found else None

    def names_little_but_a_country(
        self, text: str, named: tuple[str, str] | bool | None = True
    ) -> bool:
        """True for "Jarmalkana?", "تو آلمان چی؟", "Almanya'da?", "en Italie ?": a country and at
        most two short words. After an answer such a message asks the same about that country
        (the NLU's ConversationContext reads this as a follow-up); "asylum in Germany" is not.
        `named`: the country already found in the text by `_country_name` (True: look it up)."""
        found = self._country_name(text) if named is True else named
        if not found:
            return False
        rest = f" {text.casefold()} ".replace(found[1], " ", 1)
        words = [w for w in re.split(r"[\W\d_]+", rest) if w]
        if len(words) <= 2 and all(len(w) <= 5 for w in words):
            return True
        # "is it the same in Bulgaria?", "w b holanda nafs el shi?", "ጀርመን ድማ ከምኡ ድዩ?"
        return len(text.split()) <= 8 and bool(_SAME.search(rest))

    # -- the conversation -------------------------------------------------------------------
    async def _state(self, key: str) -> Turn:
        """The conversation's state (see `_state_of`), read from the store."""
        return self._state_of(key, await self._conversation(key))

    async def _conversation(self, key: str) -> DialogueStateTracker:
        """The conversation's last session, read once for the whole message (new: empty).

        What `Agent.handle_message` would read again is handed to Rasa (`_converse`), so a
        message costs one read and one write of the store. The store reads the last session
        only (Rasa's `retrieve`, not `retrieve_full_tracker`): sessions expire after the
        domain's `session_expiration_time`, so an old conversation is not read whole."""
        store, processor = self.agent.tracker_store, self.agent.processor
        tracker = await store.retrieve(key)
        if tracker is None:  # not saved until the turn is (Rasa would save it empty first)
            tracker = store.init_tracker(key)
        tracker.model_id = processor.model_metadata.model_id
        if tracker.assistant_id is None:
            tracker.assistant_id = processor.model_metadata.assistant_id
        return tracker

    def _state_of(self, key: str, tracker: DialogueStateTracker | None) -> Turn:
        """The last turn's metadata (language, the country the user is in), and the topic of
        the last answer as `previous_topic`, which the NLU reads to understand follow-ups.

        After an idle time (an expired session) the language and the country carry over to
        the new session, through the first turn's metadata; the previous topic does not: a
        message after hours is no follow-up."""
        if tracker is None or tracker.latest_message is None:
            return Turn()
        state = latest_turn(tracker)
        state.pop("previous_topic", None)
        state.pop("names_little_but_a_country", None)
        if not self.agent.processor._has_session_expired(tracker):
            for event in reversed(tracker.events):
                if isinstance(event, ActionExecuted) and build.topic_of(event.action_name):
                    state["previous_topic"] = build.topic_of(event.action_name)
                    break
        self._hint(key, state)
        return state

    async def _converse(self, tracker: DialogueStateTracker, message: UserMessage) -> None:
        """Rasa's `MessageProcessor.handle_message` on the tracker already read for this
        message (the caller holds the conversation's lock): a new session if the last one
        expired, the user's turn, the policies' actions, one save."""
        processor = self.agent.processor
        channel = message.output_channel
        if len(tracker.events) >= SESSION_EVENTS:
            # a long conversation starts a new session too, so that what the store reads, and
            # what the policies look through, stays short (the state was read already)
            await processor._run_action(
                action=processor._get_action(ACTION_SESSION_START_NAME),
                tracker=tracker,
                output_channel=channel,
                nlg=processor.nlg,
                prediction=PolicyPrediction.for_action_name(
                    processor.domain, ACTION_SESSION_START_NAME
                ),
            )
        else:
            await processor._update_tracker_session(tracker, channel, dict(message.metadata or {}))
        await processor._handle_message_with_tracker(message, tracker)
        tracker = await processor.run_action_extract_slots(channel, tracker)
        await processor._run_prediction_loop(channel, tracker)
        await processor.save_tracker(tracker)

    def _hint(self, key: str, meta: Turn) -> None:
        if meta.get("language") or meta.get("country"):
            self._hints[key] = Turn(language=meta.get("language"), country=meta.get("country"))
            self._hints.move_to_end(key)
            while len(self._hints) > HINTS:
                self._hints.popitem(last=False)

    async def store_problem(self) -> str | None:
        """None when the conversation store answers, else what is wrong (for /health)."""
        store = self.agent.tracker_store
        problem = await store.check() if isinstance(store, StoreInThreads) else None
        return problem or await self.turns.check()

    async def _ask_rasa(
        self,
        key: str,
        text: str,
        meta: Turn,
        channel: str,
        long: bool = False,
        fallback: bool = False,
        tracker: DialogueStateTracker | None = None,
        parse: dict | None = None,
    ) -> tuple[str, float, list[Reply]]:
        """Rasa's turn: the topic, its confidence and the rendered replies. With `tracker`,
        the conversation read for this message under its lock (`_converse`); without, Rasa
        takes the lock and reads it itself. `parse`: the NLU's reading, if already made.
        `fallback`: the fallback whatever the classifier says, with the classifier's ranking
        kept, so that the fallback offers the nearest topics."""
        self._hint(key, meta)
        collector = _Collector()
        if parse is None:
            parse = await self._off_loop(self._parse, text, key, channel, meta, long=long)
        if fallback:
            parse = {**parse, "intent": {"name": "nlu_fallback", "confidence": 0.0}}
        message = UserMessage(
            text, collector, key, input_channel=channel, metadata=meta, parse_data=parse
        )
        if tracker is None:
            await self.agent.handle_message(message)
        else:
            await self._converse(tracker, message)
        intent = parse.get("intent") or {}
        topic, replies = "fallback", []
        for m in collector.messages:
            topic = build.topic_of(m.get("utter_action")) or topic
            replies.append(
                Reply(
                    m.get("text") or "",
                    [Button(b["title"], b["payload"]) for b in m.get("buttons") or []],
                )
            )
        console.heard(text, parse, meta, channel, topic)  # unanswered questions, for staff
        if not replies:  # content missing for this topic: never leave the user without an answer
            replies = [self.renderer.menu(meta.get("language") or "en")]
        return topic, float(intent.get("confidence") or 0.0), replies

    async def handle(self, message: Incoming) -> Answer:
        """The bot's answer, or an apology if the store or the model failed; never raises.
        Channels get the engine with its layers (the human handover) from bot/masar.py."""
        try:
            return await self.answer(message)
        except Exception as exc:  # the store or the model failed: say sorry, never an error
            return self.apology(message, exc)

    def apology(self, message: Incoming, exc: Exception) -> Answer:
        """A short apology in the user's language, with the emergency button (which works
        without the store); the failure is logged by type and place, never with the text."""
        logger.error(
            "could not answer: %s",
            describe(exc),
            extra={"masar": {"event": "error", "channel": message.channel, **error_fields(exc)}},
        )
        return self.sorry(message)

    def sorry(self, message: Incoming) -> Answer:
        """The apology for `message`, for a failure the caller has logged (a channel whose
        platform refused the answer says sorry with it too)."""
        key = message.key(self.secret)
        text = message.cleaned
        hint = self._hints.get(key, {}).get("language")
        language = message.language if message.language in LANGUAGES else None
        if language is None:
            try:
                plain = text if not text.startswith("/") else ""
                language = self._language(plain, hint, message.client_language) if plain else None
            except Exception:  # language detection is one of the things that can fail
                language = None
        language = language or hint or launch_language(message.client_language) or "en"
        reply = Reply(
            _(language, "Sorry, something went wrong. Please try again."),
            [topic_button("emergency_general", language)],
        )
        return Answer(str(message.user), text, language, "fallback", 0.0, [reply])

    async def answer(self, message: Incoming) -> Answer:
        """The bot's own answer to one message. Never raises for bad input; the user always gets a reply."""
        key = message.key(self.secret)
        place = self.turns.arrive(key)  # in line on arrival, before anything takes time
        handed = False  # an emergency hands its place to the recording of its turn
        try:
            answer, handed = await self._in_line(message, key, place)
            return answer
        finally:
            if not handed:
                await place.leave()

    async def _in_line(self, message: Incoming, key: str, place: Place) -> tuple[Answer, bool]:
        """The answer, and whether the place was handed to an emergency's recording. An
        emergency is answered without waiting for its turn; everything else waits for it (a
        doubted alarm only STATE_PATIENCE: then its emergency answer goes first)."""
        forced = message.language if message.language in LANGUAGES else None
        if not message.written:  # a location, a voice note, a photo (bot/dialogue.py)
            await place.turn()
            return await self._not_written(message, key, forced), False
        long = isinstance(message.text, str) and len(message.text) > LONG_MESSAGE
        text, alarm, then = await self._off_loop(self._first_look, message, long=long)
        command = command_of(text)[0]
        # the emergency model's alarm below UNSURE_DANGER: the topic classifier may overrule it
        doubt = alarm if alarm and alarm.pattern == MODEL and alarm.score < UNSURE_DANGER else None
        if (alarm and not doubt) or command in EMERGENCY_COMMANDS:
            topic = alarm.topic if alarm else EMERGENCY_COMMANDS[command]
            answer = await self._emergency(
                message, key, text, topic, forced, typed=bool(alarm), then=then, place=place
            )
            return answer, True
        found: Answer | None = None
        state, where = None, None
        try:
            waiting = place.turn()
            await (asyncio.wait_for(waiting, STATE_PATIENCE) if doubt else waiting)
            async with self.agent.lock_store.lock(key):
                reading = self._conversation(key)
                tracker = await (asyncio.wait_for(reading, STATE_PATIENCE) if doubt else reading)
                state = self._state_of(key, tracker)
                found, where = await self._ordinary(
                    message, key, text, forced, long, tracker, state, doubt
                )
        except (asyncio.TimeoutError, StoreUnavailable):
            if not doubt:
                raise
        if doubt is None:
            assert found is not None
            return found, False
        if found is None:  # the doubt stands (or the store failed): the emergency answer
            answer = await self._emergency(
                message,
                key,
                text,
                doubt.topic,
                forced,
                typed=True,
                then=then,
                known=state,
                place=place,
            )
            return answer, True
        # the numbers still come first: a doubt costs one line, a miss can cost a life
        country = self.renderer.content.countries.get(where or "")
        numbers = self.renderer.emergency_numbers(
            country, found.language, at_sea=doubt.topic == "emergency_at_sea"
        )
        found.replies.insert(0, Reply(numbers))
        return found, False

    async def _not_written(self, message: Incoming, key: str, forced: str | None) -> Answer:
        """A location, voice note or photo (bot/dialogue.py), in the conversation's language;
        a place outside the directory gets the country question, as after "/country"."""
        async with self.agent.lock_store.lock(key):
            tracker = await self._conversation(key)
            state = self._state_of(key, tracker)
            language = forced or state.get("language") or launch_language(message.client_language)
            language = language or "en"
            countries = set(self.content.countries)
            answer = dialogue.not_written(message, language, countries, self.renderer)
            if answer is None:
                answer = await self._command(message, key, "country", "", language, state, tracker)
        return answer

    async def _surely_another_topic(
        self, masked: str, key: str, channel: str, meta: Turn, long: bool
    ) -> dict | None:
        """The classifier's reading when it is sure (SURE_TOPIC) that the message is about
        something else than an emergency: "a man in the camp touches me at night, I am afraid to
        sleep" is for violence support, "and my children? still in Aleppo with grandma" a
        follow-up about family reunification; else None. Asked only when the emergency model is
        unsure (below UNSURE_DANGER); if the classifier fails or is slow, the alarm stands. The
        reading is the one Rasa is then given (`_ask_rasa(parse=...)`): parsed once."""
        try:
            parsed = await asyncio.wait_for(
                self._off_loop(self._parse, masked, key, channel, meta, long=long),
                TOPIC_PATIENCE,
            )
        except Exception as exc:  # the numbers matter more than the topic
            logger.error("emergency: the topic check failed (%s)", type(exc).__name__)
            return None
        intent = parsed.get("intent") or {}
        name = str(intent.get("name") or "")
        sure = (
            name not in EMERGENCY_TOPICS
            and name not in ("", "nlu_fallback", "fallback")
            and float(intent.get("confidence") or 0.0) >= SURE_TOPIC
        )
        return parsed if sure else None

    async def _ordinary(
        self,
        message: Incoming,
        key: str,
        text: str,
        forced: str | None,
        long: bool,
        tracker: DialogueStateTracker,
        state: Turn,
        doubt: Alarm | None = None,
    ) -> tuple[Answer | None, str | None]:
        """Every answer but the emergency one: commands, then Rasa's, with the safety checks;
        and the country the user is in, as far as it is known. Called under the conversation's
        lock with the conversation read once (`tracker`, `state`). With a `doubt` (an unsure
        emergency alarm), the answer is None unless the classifier is sure of another topic."""
        current = state.get("language")
        if text.startswith("/"):
            command, arg = command_of(text)
            language = forced or current or launch_language(message.client_language) or "en"
            answer = await self._command(message, key, command, arg, language, state, tracker)
            return answer, state.get("country")

        read = await self._off_loop(
            self._read, text, state, forced, message.client_language, long=long
        )
        language, country, mentioned = read.language, read.country, read.mentioned
        meta = _turn_of(read, state)
        parse = None
        if doubt is not None:
            parse = await self._surely_another_topic(read.masked, key, message.channel, meta, long)
            if parse is None:
                return None, country
        if not text:
            menu = [self.renderer.menu(language)]
            return Answer(str(message.user), text, language, "fallback", 0.0, menu), country
        if read.only_a_country:
            # "italy" alone: that country's services (after "which country are you in?" it is
            # also where the user is, see where())
            answer = await self._answer(
                message, key, "/find_help", language, country, mentioned=mentioned, tracker=tracker
            )
            return answer, country
        # Safety beyond emergencies (bot/safety/): signs of trafficking or kidnapping in the user's
        # story get protection and a person; a pasted advert gets the offer check. The advert itself
        # goes to Rasa only as "/offer_check", so its text is never stored in the conversation.
        offer, advert, sign = read.offer, read.advert, read.sign
        if sign:
            answer = await self._answer(
                message, key, f"/{sign.topic}", language, country, tracker=tracker
            )
            answer.replies = protection_replies(
                self.renderer, sign.topic, language, country, answer.replies
            )
            return answer, country
        # a long pasted text (news, a law, a chain message, lyrics, a copied chat; bot/pasted.py)
        # is answered on the question the user added to it, else with the fallback and its
        # nearest topics as buttons
        copied = (
            None
            if advert or offer.findings
            else await self._off_loop(
                pasted,
                message.text if isinstance(message.text, str) else text,  # with its lines
                language,
                long=long,
            )
        )
        if copied and copied.question:  # read again: the question alone
            text, parse = copied.question, None
            read = await self._off_loop(self._read, text, state, forced, message.client_language)
            language, country, mentioned = read.language, read.country, read.mentioned
            meta = _turn_of(read, state)
        if not advert and self.vocabulary.is_noise(text):
            # random scripts, keyboard mashing, binary, emoji floods: no topic is near, and a
            # classifier would still name one; the fallback says what Masar can help with
            answer = await self._answer(
                message, key, "/nlu_fallback", language, country, tracker=tracker
            )
            answer.confidence = 0.0
            return answer, country
        topic, confidence, replies = await self._ask_rasa(
            key,
            "/offer_check" if advert else read.masked,
            meta,
            message.channel,
            long,
            fallback=bool(copied and not copied.question),
            tracker=tracker,
            parse=None if advert else parse,
        )
        topic, replies = with_offer_check(offer, text, language, topic, replies, advert)
        answer = Answer(
            str(message.user),
            message.text if isinstance(message.text, str) else text,
            language,
            topic,
            confidence,
            replies,
            emergency=topic in EMERGENCY_TOPICS,
        )
        return answer, country

    async def _emergency(
        self,
        message: Incoming,
        key: str,
        text: str,
        topic: str,
        forced: str | None,
        typed: bool,
        then: str | None = None,
        place: Place | None = None,
        known: Turn | None = None,
    ) -> Answer:
        """The emergency answer, whatever else is broken; `then`: a trafficking or kidnapping
        topic whose protection help follows the numbers.

        The conversation's language and country come from the store if it answers within
        STATE_PATIENCE, else from what this process last saw of the conversation; the answer
        is rendered here from content (what Rasa's rule would render), and the turn is stored
        afterwards: waited for briefly when the store works, in the background when it does not,
        in its `place` in the conversation's line (which it leaves when recorded). `known`: the
        conversation's state, when it was read already for this message.
        """
        try:
            state = (
                known
                if known is not None
                else await asyncio.wait_for(self._state(key), STATE_PATIENCE)
            )
            store_works = True
        except (asyncio.TimeoutError, StoreUnavailable) as exc:
            state, store_works = Turn(**self._hints.get(key, Turn())), False
            logger.error(
                "emergency answered without the conversation store (%s)",
                type(exc).__name__,
                extra={"masar": {"event": "store_failed", "error": type(exc).__name__}},
            )
        current = state.get("language")
        language = forced or current or launch_language(message.client_language) or "en"
        if typed and not forced:
            try:
                language = self._language(text, current, message.client_language)
            except Exception as exc:  # the numbers matter more than the language
                logger.error("emergency: language detection failed (%s)", type(exc).__name__)
        country = self.where(text, state, emergency=True)[0] if typed else state.get("country")
        replies = self.renderer.topic(topic, Situation(language, country))
        meta = Turn(language=language, country=country)
        record = asyncio.ensure_future(self._record(place, key, f"/{topic}", meta, message.channel))
        record.add_done_callback(_log_unrecorded)
        if store_works:
            try:
                await asyncio.wait_for(asyncio.shield(record), RECORD_PATIENCE)
            except Exception:  # too slow or failed: logged by _log_unrecorded, nobody waits
                pass
        replies = [one_message(replies)] if replies else [self.renderer.menu(language)]
        if then:
            replies += protection_replies(self.renderer, then, language, country, [])
        return Answer(str(message.user), str(message.text), language, topic, 1.0, replies, True)

    async def _record(self, place: Place | None, key: str, trigger: str, meta: Turn, channel: str):
        """An emergency's turn, stored in its place in line (or at once without one, or when
        the line cannot be reached: an emergency is recorded whatever else is broken)."""
        try:
            if place is not None:
                try:
                    await place.turn()
                except Exception as exc:
                    logger.error("emergency recorded out of turn (%s)", type(exc).__name__)
            return await self._ask_rasa(key, trigger, meta, channel)
        finally:
            if place is not None:
                await place.leave()

    async def sounds_like_emergency(self, text: str) -> bool:
        """The emergency net's verdict on a text (in the worker thread), for the handover."""
        long = len(text) > LONG_MESSAGE
        return bool(await self._off_loop(self.emergency.check, text, long=long))

    def _first_look(self, message: Incoming) -> tuple[str, Alarm | None, str | None]:
        """The cleaned text, the emergency net's verdict and, with an alarm, a trafficking or
        kidnapping topic told together with the danger, whose help follows the numbers (in the
        worker thread). For an emergency, the text's language is detected here too, so that the
        answer's language costs the event loop nothing (the detection is cached)."""
        text = message.cleaned
        alarm = self.emergency.check(text) if text and not text.startswith("/") else None
        if (
            alarm
            and alarm.pattern == MODEL
            and (
                (alarm.score < SURE_DANGER and self._more_specific(text))
                # the model's guess on a text without one known word (keyboard mashing) is noise
                or self.vocabulary.is_noise(text)
            )
        ):
            alarm = None
        sign = self.trafficking.check(text) if alarm else None
        if alarm:
            detect(text)
        return text, alarm, (sign.topic if sign else None)

    def _read(self, text: str, state: Turn, forced: str | None, client: str | None) -> Reading:
        """Language, place, offer check, trafficking signs, masking (in the worker thread)."""
        language = forced or self._language(text, state.get("language"), client)
        named = self._country_name(text)  # looked up once for all that follows
        country, mentioned = self._where(text, state, named)
        only = bool(text) and (country != state.get("country") or bool(mentioned))
        offer = self.offers.check(text)
        advert = looks_like_advert(text, offer)
        return Reading(
            language,
            country,
            mentioned,
            only and self._only_a_country(text, state, named),
            offer,
            advert,
            None if advert else self.trafficking.check(text),
            privacy.mask_personal(text)[:NLU_TEXT],
            self.names_little_but_a_country(text, named),
        )

    def _more_specific(self, text: str) -> bool:
        """A reviewed sign of trafficking or kidnapping, or a pasted advert, answers better than
        the emergency model's guess (a reviewed emergency pattern still comes first), unless the
        model is sure of danger now (SURE_DANGER): a woman in labour and bleeding in a smuggler's
        locked yard needs the emergency numbers before the advice about trafficking."""
        return bool(self.trafficking.check(text)) or looks_like_advert(
            text, self.offers.check(text)
        )

    def _language(self, text: str, current: str | None, client: str | None) -> str:
        detection = choose_language(text, current=current, client_hint=client)
        return detection.language or current or launch_language(client) or "en"

    async def _answer(
        self,
        message: Incoming,
        key: str,
        trigger: str,
        language: str,
        country: str | None,
        emergency: bool = False,
        confidence: float = 1.0,
        mentioned: str | None = None,
        tracker: DialogueStateTracker | None = None,
    ) -> Answer:
        meta = Turn(language=language, country=country, mentioned_country=mentioned)
        topic, _c, replies = await self._ask_rasa(
            key, trigger, meta, message.channel, tracker=tracker
        )
        return Answer(
            str(message.user), str(message.text), language, topic, confidence, replies, emergency
        )

    async def _command(
        self,
        message: Incoming,
        key: str,
        command: str,
        arg: str,
        language: str,
        state: Turn,
        tracker: DialogueStateTracker,
    ) -> Answer:
        user, text = str(message.user), str(message.text)
        country = state.get("country")
        ask = functools.partial(self._answer, tracker=tracker)
        if command in TOPICS:  # a topic button, e.g. /asylum_basics
            return await ask(message, key, f"/{command}", language, country)
        if command == "start":
            # first contact: a greeting and the language choice; the menu follows the choice
            greeting = await ask(message, key, "/greet", language, country)
            greeting.replies[-1].buttons = self.renderer.choose_language(language).buttons
            return greeting
        if command == "language":
            if arg in LANGUAGES:
                greeting = await ask(message, key, "/greet", arg, country)
                greeting.topic = "change_language"
                return greeting
            return await ask(message, key, "/change_language", language, country)
        if command == "country":
            code = arg.upper() if arg.upper() in self.content.countries else self.find_country(arg)
            if code:
                return await ask(message, key, "/find_help", language, code)
            return await ask(message, key, "/find_help", language, None)
        if command in ("menu", "help"):
            return Answer(
                user,
                text,
                language,
                "greet" if command == "menu" else "about_bot",
                1.0,
                [self.renderer.menu(language)],
            )
        if command == "privacy":
            return await ask(message, key, "/privacy", language, country)
        if command == "forget":
            self._hints.pop(key, None)
            await delete_conversation(self.agent.tracker_store, key)
            for channel in message.elsewhere:
                await self.forget(channel, user)
            reply = Reply(
                _(language, "Done: everything Masar kept about you has been deleted."),
                [Button(_(language, "Menu"), "/menu")],
            )
            return Answer(user, text, language, "privacy", 1.0, [reply])
        reply = Reply(
            _(language, "I don't know that command. Here is the menu."),
            self.renderer.menu(language).buttons,
        )
        return Answer(user, text, language, "fallback", 0.0, [reply])

    async def forget(self, channel: str, user: str) -> None:
        key = privacy.user_key(self.secret, channel, str(user))
        self._hints.pop(key, None)
        await delete_conversation(self.agent.tracker_store, key, self.turns)

    async def purge(self, days: int | None = None) -> int:
        """Delete conversations older than the retention period."""
        return await purge_older_than(
            self.agent.tracker_store, days or self.settings.retention_days, turns=self.turns
        )


def _turn_of(read: Reading, state: Turn) -> Turn:
    """The metadata stored with this turn: what the message says, and the previous topic."""
    return Turn(
        language=read.language,
        country=read.country,
        mentioned_country=read.mentioned,
        previous_topic=state.get("previous_topic"),
        names_little_but_a_country=read.little_but_a_country,
    )


def _log_unrecorded(record: asyncio.Future) -> None:
    """An emergency turn that could not be stored: the user was answered; the operator is told."""
    exc = None if record.cancelled() else record.exception()
    if exc is None:
        return
    logger.error(
        "emergency turn not stored: %s",
        describe(exc),
        extra={"masar": {"event": "store_failed", **error_fields(exc)}},
    )

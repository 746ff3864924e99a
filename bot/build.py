"""content/ -> Rasa training data, domain and rules -> a trained model, with fingerprints.

Answer texts are not part of the model: the domain's responses are placeholders and the
engine renders every answer from content/ when it sends it. So an NGO editor who fixes a
sentence in an answer sees it live without retraining; only examples, topics, follow-ups,
config.yml or the NLU code change the fingerprint and trigger a retrain.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import logging
import os
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

import yaml

from . import progress
from .content.catalogue import TOPICS
from .content.loader import normalise_example
from .content.models import Content
from .settings import Settings

logger = logging.getLogger(__name__)

NLU_CODE = Path(__file__).parent / "nlu"
# The tokenizer reads bot/language.py's word lists to recognise romanised text.
NLU_DEPENDENCIES = (Path(__file__).parent / "language.py",)
CURRENT = "current.txt"
# Minutes of silence after which a conversation starts a new session (Rasa's default, 60): the
# follow-up context ends, the language and country carry over (bot/engine.py `_state_of`).
SESSION_MINUTES = 60


def action_for(topic: str) -> str:
    return f"utter_{topic}"


def topic_of(action: str | None) -> str | None:
    return action[len("utter_") :] if action and action.startswith("utter_") else None


def _clean_example(text: str) -> str:
    """One line, and no characters Rasa reads as entity markup."""
    text = " ".join(str(text).split())
    return text.translate(str.maketrans("[]{}", "()()"))


def training_examples(
    content: Content, languages: tuple[str, ...] | None = None
) -> dict[str, list[tuple[str, str]]]:
    """(example, language) per topic (first topic wins when two topics share an example)."""
    seen: set[str] = set()
    out: dict[str, list[tuple[str, str]]] = {}
    for topic_id in TOPICS:
        topic = content.topics.get(topic_id)
        if topic is None:
            continue
        for language, tr in topic.translations.items():
            if languages and language not in languages:
                continue
            for ex in tr.examples:
                key = normalise_example(ex)
                if key and key not in seen:
                    seen.add(key)
                    out.setdefault(topic_id, []).append((_clean_example(ex), language))
    return out


def write_training_files(examples: dict[str, list[tuple[str, str]]], out: Path) -> None:
    """Write domain.yml, data/nlu.yml and data/rules.yml for these topics.

    Each example carries its content language as Rasa example metadata, so the tokenizer
    knows that "shu el 7al" under `ar` is Arabizi (bot/nlu/romanised.py) without guessing.
    """
    # Every catalogue topic is an intent and has a rule, even before it has examples, so that
    # buttons and the emergency net (which send "/<topic>") always reach their answer.
    topics = list(TOPICS)
    data = out / "data"
    data.mkdir(parents=True, exist_ok=True)
    nlu = {
        "version": "3.1",
        "nlu": [
            {
                "intent": t,
                "examples": [
                    {"text": ex, "metadata": {"language": language}} for ex, language in examples[t]
                ],
            }
            for t in topics
            if examples.get(t)
        ],
    }
    rules = {
        "version": "3.1",
        "rules": [
            {"rule": f"answer {t}", "steps": [{"intent": t}, {"action": action_for(t)}]}
            for t in topics
        ]
        + [
            {
                "rule": "low confidence: offer the closest topics",
                "steps": [{"intent": "nlu_fallback"}, {"action": action_for("fallback")}],
            }
        ],
    }
    # Placeholders only: the engine renders answers from content/ (see module docstring).
    responses = {
        action_for(t): [{"text": f"(rendered from content/topics/{t}.yml)"}] for t in TOPICS
    }
    domain = {
        "version": "3.1",
        "intents": topics + (["nlu_fallback"] if "nlu_fallback" not in topics else []),
        "responses": responses,
        # A conversation idle for SESSION_MINUTES starts a new session: the store reads only the
        # last one, so history stays bounded; the engine carries language and country over.
        "session_config": {
            "session_expiration_time": SESSION_MINUTES,
            "carry_over_slots_to_new_session": True,
        },
    }

    def dump(obj: object) -> str:
        return yaml.safe_dump(obj, allow_unicode=True, sort_keys=False, width=10_000)

    (data / "nlu.yml").write_text(dump(nlu), encoding="utf-8")
    (data / "rules.yml").write_text(dump(rules), encoding="utf-8")
    (out / "domain.yml").write_text(dump(domain), encoding="utf-8")


def training_config(config_file: Path, embeddings: Path, rasa_dir: Path) -> Path:
    """config.yml as Rasa trains it: the sentence embedding keeps the examples' embeddings in
    `embeddings` between trainings (a component option, so it reaches the component through
    Rasa). Written next to the training data; the fingerprint reads config.yml itself."""
    config = yaml.safe_load(config_file.read_text(encoding="utf-8"))
    for component in config.get("pipeline") or []:
        if str(component.get("name", "")).endswith("SentenceEmbeddingFeaturizer"):
            component.setdefault("cache_file", str(embeddings))
    path = rasa_dir / "config.yml"
    path.write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def fingerprint(rasa_dir: Path, config_file: Path) -> str:
    """Hash of everything the trained model depends on (and nothing it does not)."""
    import rasa

    h = hashlib.sha256(rasa.__version__.encode())
    files = [
        rasa_dir / "domain.yml",
        rasa_dir / "data" / "nlu.yml",
        rasa_dir / "data" / "rules.yml",
        config_file,
        *sorted(NLU_CODE.glob("*.py")),
        *NLU_DEPENDENCIES,
    ]
    for f in files:
        h.update(f.name.encode())
        h.update(f.read_bytes())
    return h.hexdigest()[:16]


@dataclass
class BuildResult:
    model: Path
    fingerprint: str
    trained: bool
    seconds: float


class BuildError(Exception):
    """Training failed; the previous model (if any) stays in use."""


def current_model(settings: Settings) -> Path | None:
    """The last model that trained successfully, or None."""
    return last_good_model(settings.models_dir)


def last_good_model(models_dir: Path) -> Path | None:
    """The model `models_dir`'s pointer names, if it is there (also another checkout's)."""
    pointer = models_dir / CURRENT
    if pointer.exists():
        path = models_dir / pointer.read_text(encoding="utf-8").strip()
        if path.exists():
            return path
    return None


def train_model(
    settings: Settings,
    content: Content,
    *,
    force: bool = False,
    rasa_dir: Path | None = None,
    config_file: Path | None = None,
    models_dir: Path | None = None,
    languages: tuple[str, ...] | None = None,
    name: str = "masar",
) -> BuildResult:
    """Build training data from content and train unless a model with the same fingerprint exists."""
    started = time.perf_counter()
    rasa_dir = rasa_dir or settings.rasa_dir
    config_file = config_file or settings.config_file
    models_dir = models_dir or settings.models_dir
    if rasa_dir.exists():
        shutil.rmtree(rasa_dir)
    write_training_files(training_examples(content, languages), rasa_dir)
    fp = fingerprint(rasa_dir, config_file)
    model_name = f"{name}-{fp}"
    model = models_dir / f"{model_name}.tar.gz"
    trained = False
    if force or not model.exists():
        os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")  # for Rasa, which reads it
        from rasa.api import train

        models_dir.mkdir(parents=True, exist_ok=True)
        said = io.StringIO()  # Rasa prints its own banners on stdout; kept for a failure's message
        with progress.reporting() as reporter, contextlib.redirect_stdout(said):
            reporter.report(f"{model_name}: training the NLU pipeline and the rules")
            result = train(
                domain=str(rasa_dir / "domain.yml"),
                config=str(training_config(config_file, settings.embeddings_file, rasa_dir)),
                training_files=[str(rasa_dir / "data")],
                output=str(models_dir),
                fixed_model_name=model_name,
                force_training=True,
            )
        if result.code != 0 or not model.exists():
            rasa_said = " ".join(said.getvalue().split()[-60:])
            raise BuildError(
                f"training failed (code {result.code}); the previous model stays in use"
                + (f". Rasa said: {rasa_said}" if rasa_said else "")
            )
        trained = True
    if name == "masar":
        (models_dir / CURRENT).write_text(model.name, encoding="utf-8")
    return BuildResult(model, fp, trained, time.perf_counter() - started)

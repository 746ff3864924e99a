"""Unit tests of Masar's own Rasa components (bot/nlu), through Rasa's GraphComponent API.

The classifier is trained on hand-made features, so these tests say exactly what it computes;
the real pipeline on the real content is exercised by tests/test_understanding.py.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import scipy.sparse as sp
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.constants import INTENT, TEXT
from rasa.shared.nlu.training_data.features import Features
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlu import embeddings
from bot.nlu.classifier import TopicClassifier

REPO_ROOT = Path(__file__).resolve().parents[1]


def _message(text: str, dense, counts, intent: str | None = None) -> Message:
    data = {TEXT: text}
    if intent:
        data[INTENT] = intent
    message = Message(data=data)
    message.add_features(
        Features(np.asarray(dense, np.float32).reshape(1, -1), "sentence", TEXT, "emb")
    )
    message.add_features(
        Features(
            sp.coo_matrix(np.asarray(counts, np.float32).reshape(1, -1)), "sentence", TEXT, "cv"
        )
    )
    return message


def _training_messages():
    rng = np.random.default_rng(3)
    out = []
    for i in range(30):
        topic = ("asylum", "work", "danger")[i % 3]
        dense = rng.normal(size=8) + (i % 3) * 3.0
        counts = np.zeros(12)
        counts[(i % 3) * 4 : (i % 3) * 4 + 4] = rng.integers(1, 4, size=4)
        out.append(_message(f"example {i}", dense, counts, topic))
    return out


@pytest.fixture()
def storage(tmp_path):
    return LocalModelStorage(tmp_path)


def _context():
    return ExecutionContext(GraphSchema({}), "test")


def _train(storage, config=None):
    resource = Resource("topic_classifier")
    classifier = TopicClassifier.create(
        {**TopicClassifier.get_default_config(), **(config or {})}, storage, resource, _context()
    )
    classifier.train(TrainingData(training_examples=_training_messages()))
    return classifier, resource


def test_scores_block_by_block_equal_the_stacked_features(storage):
    classifier, _ = _train(storage)
    messages = _training_messages()[:6]
    stacked = np.asarray(classifier._features(messages) @ classifier.coef) + classifier.intercept
    np.testing.assert_allclose(classifier._scores(messages), stacked, rtol=1e-5, atol=1e-5)


def test_trained_classifier_ranks_topics_and_reloads_identically(storage):
    classifier, resource = _train(storage)
    assert classifier.coef.flags["C_CONTIGUOUS"]
    probe = [_message("new", np.full(8, 6.0), [0, 0, 0, 0, 0, 0, 0, 0, 2, 1, 1, 1])]
    classifier.process(probe)
    first = probe[0].get("intent_ranking")
    assert probe[0].get(INTENT)["name"] == "danger"
    assert abs(sum(r["confidence"] for r in first) - 1.0) < 1e-4
    assert [r["confidence"] for r in first] == sorted(
        (r["confidence"] for r in first), reverse=True
    )

    loaded = TopicClassifier.load(
        TopicClassifier.get_default_config(), storage, resource, _context()
    )
    assert loaded.coef.flags["C_CONTIGUOUS"]
    again = [_message("new", np.full(8, 6.0), [0, 0, 0, 0, 0, 0, 0, 0, 2, 1, 1, 1])]
    loaded.process(again)
    assert [r["name"] for r in again[0].get("intent_ranking")] == [r["name"] for r in first]


def test_a_message_without_features_or_a_wider_vocabulary_still_gets_a_ranking(storage):
    classifier, _ = _train(storage)
    bare = Message(data={TEXT: "?"})
    wider = _message("wider", np.zeros(8), np.ones(20))  # vocabulary grew after training
    classifier.process([bare, wider])
    for message in (bare, wider):
        assert message.get(INTENT)["name"] in {"asylum", "work", "danger"}


def test_untrained_classifier_leaves_messages_alone(storage):
    classifier = TopicClassifier.load(
        TopicClassifier.get_default_config(), storage, Resource("missing"), _context()
    )
    message = Message(data={TEXT: "hello"})
    classifier.process([message])
    assert message.get(INTENT) is None


def test_embedding_cache_embeds_each_text_once_and_survives_a_broken_file(tmp_path):
    path = tmp_path / "cache.npz"
    cache = embeddings.EmbeddingCache(path)
    vectors = cache.embed(["where can I ask for asylum", "وين بقدر اطلب لجوء"])
    assert vectors.shape == (2, 384) and cache.dirty
    cache.save()
    reread = embeddings.EmbeddingCache(path)
    np.testing.assert_allclose(reread.embed(["وين بقدر اطلب لجوء"])[0], vectors[1])
    assert not reread.dirty  # nothing new was embedded
    path.write_bytes(b"not a numpy file")
    broken = embeddings.EmbeddingCache(path)
    assert broken.vectors == {} and broken.embed(["hello"]).shape == (1, 384)


def test_batched_training_embeddings_match_single_queries():
    texts = [
        f"question number {i} about the asylum interview" for i in range(embeddings.TRAIN_BATCH + 3)
    ]
    batched = embeddings.embed_batches(texts)
    assert batched.shape == (len(texts), 384) and batched.dtype == np.float32
    for i in (0, embeddings.TRAIN_BATCH, len(texts) - 1):
        np.testing.assert_allclose(batched[i], embeddings.get_model().query(texts[i]), atol=1e-4)


def test_training_threads_come_from_the_setting_or_the_usable_cores(monkeypatch):
    monkeypatch.setenv("MASAR_TRAIN_THREADS", "3")
    assert embeddings.training_threads() == 3
    for bad in ("0", "two", ""):
        monkeypatch.setenv("MASAR_TRAIN_THREADS", bad)
        assert embeddings.training_threads() == len(os.sched_getaffinity(0))


@pytest.mark.subprocess
def test_jax_is_kept_out_unless_allowed():
    code = (
        "import bot\n"
        "try:\n    import jax\nexcept ImportError:\n    print('blocked')\nelse:\n    print('loaded')\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "MASAR_ALLOW_JAX"}
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO_ROOT, env=env, capture_output=True, text=True
    )
    assert out.stdout.strip() == "blocked", out.stderr


@pytest.mark.parametrize(
    "text",
    ["😀" * 2048, "庇护申请" * 1000, "a\u0301\u0302\u0303" * 1000, "asylum " * 600],
)
def test_a_long_message_is_embedded_within_a_token_budget(text):
    """Emoji, CJK, combining marks, repeated words: what the embedding reads is a prefix of
    at most MAX_TOKENS tokens, so no message costs seconds (1,000 emoji were 1,000 tokens)."""
    model = embeddings.get_model()
    cut = embeddings.bounded(text)
    assert text.startswith(cut) and len(cut) > 0
    assert model.token_count(cut, is_query=True) <= embeddings.MAX_TOKENS
    assert model.token_count(text[: len(cut) + 1], is_query=True) > embeddings.MAX_TOKENS


def test_a_normal_question_is_embedded_whole():
    question = "how do i apply for asylum in italy if i arrived by boat last week"
    assert embeddings.bounded(question) == question

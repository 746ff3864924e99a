"""Build and fingerprints: retrain only when understanding changes; keep the last good model."""

from __future__ import annotations

import asyncio
import shutil
from pathlib import Path

import pytest

from bot import build
from bot.content.loader import load
from bot.settings import Settings

MINI = Path(__file__).parent / "fixtures" / "mini"


@pytest.fixture()
def mini(tmp_path):
    content_dir = tmp_path / "content"
    shutil.copytree(MINI, content_dir)
    s = Settings(content_dir=content_dir, build_dir=tmp_path / "build", data_dir=tmp_path / "var")
    return s


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_answer_edit_keeps_the_model_and_example_edit_retrains(mini):
    first = build.train_model(mini, load(mini.content_dir)[0])
    assert first.trained
    again = build.train_model(mini, load(mini.content_dir)[0])
    assert not again.trained and again.model == first.model

    topic = mini.content_dir / "topics" / "asylum_how_to_apply.yml"
    _edit(topic, "You can ask for asylum at the border", "You can ask for protection at the border")
    after_answer_edit = build.train_model(mini, load(mini.content_dir)[0])
    assert not after_answer_edit.trained, "an answer-text edit must not retrain"

    _edit(topic, "- asylum request where", "- where do i request asylum")
    after_example_edit = build.train_model(mini, load(mini.content_dir)[0])
    assert after_example_edit.trained and after_example_edit.fingerprint != first.fingerprint


def test_answer_edit_is_live_after_reload_and_failed_build_keeps_last_model(mini, tmp_path):
    from bot.engine import Engine
    from bot.messages import Incoming

    engine = Engine.load(mini, in_memory=True)
    topic = mini.content_dir / "topics" / "asylum_how_to_apply.yml"
    _edit(
        topic,
        "You can ask for asylum at the border",
        "You can ask for international protection at the border",
    )
    assert engine.reload()
    answer = asyncio.run(engine.handle(Incoming("u", "/asylum_how_to_apply", language="en")))
    assert "international protection" in answer.replies[0].text

    model_before = engine.model_path
    _edit(topic, "- asylum request where", "- asylum where to request")

    broken = tmp_path / "broken-config.yml"
    broken.write_text(
        mini.config_file.read_text(encoding="utf-8").replace(
            "bot.nlu.classifier.TopicClassifier", "bot.nlu.classifier.NoSuchClassifier"
        ),
        encoding="utf-8",
    )
    engine.settings = mini.replace(
        config_file=broken
    )  # a real failing build: Rasa cannot find the component
    assert engine.reload() is False
    assert engine.model_path == model_before
    answer = asyncio.run(engine.handle(Incoming("u", "how do i apply for asylum", language="en")))
    assert answer.topic == "asylum_how_to_apply"


def test_broken_content_file_is_left_out_and_the_rest_still_loads(mini):
    (mini.content_dir / "topics" / "greet.yml").write_text(
        "topic: greet\n  bad: [indent\n", encoding="utf-8"
    )
    content, problems = load(mini.content_dir)
    assert "asylum_how_to_apply" in content.topics and "greet" not in content.topics
    assert any(p.path.name == "greet.yml" and "broken YAML" in p.message for p in problems)


def test_expired_review_is_not_served_as_current(mini):
    """An expired answer is replaced by 'being checked' and the official links (a setting)."""
    import datetime as dt

    from bot.answers import Renderer, Situation

    content = load(mini.content_dir)[0]
    topic = content.topics["asylum_how_to_apply"]
    after_expiry = topic.review.expires_on + dt.timedelta(days=1)
    replies = Renderer(content, enforce_review_expiry=True).topic(
        "asylum_how_to_apply", Situation("en"), today=after_expiry
    )
    text = replies[0].text
    assert "being checked" in text and topic.sources[0].url in text
    assert topic.translations["en"].answer not in text

    served = Renderer(content, enforce_review_expiry=False).topic(
        "asylum_how_to_apply", Situation("en"), today=after_expiry
    )
    assert topic.translations["en"].answer in served[0].text


def test_the_training_config_gives_the_embedding_cache_to_its_component(tmp_path):
    """The cache reaches the Rasa component as a component option (not through the
    environment); config.yml itself, which the fingerprint reads, is left as it is."""
    import yaml

    from bot.build import training_config
    from bot.settings import ROOT

    original = (ROOT / "config.yml").read_text(encoding="utf-8")
    written = training_config(ROOT / "config.yml", tmp_path / "e.npz", tmp_path)
    pipeline = yaml.safe_load(written.read_text(encoding="utf-8"))["pipeline"]
    options = {c["name"].rsplit(".", 1)[-1]: c for c in pipeline}
    assert options["SentenceEmbeddingFeaturizer"]["cache_file"] == str(tmp_path / "e.npz")
    assert all("cache_file" not in c for n, c in options.items() if "Sentence" not in n)
    assert (ROOT / "config.yml").read_text(encoding="utf-8") == original

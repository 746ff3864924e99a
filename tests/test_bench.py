"""`masar bench nlu`: its data splits, its metrics, and one real run of Masar's pipeline.

Only that the figures are produced and sensible is checked here; how fast or accurate the
pipelines are is for the benchmark itself to print (no timing assertions in tests).
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from bot.benchmarks import nlu

FIXTURE_CONTENT = Path(__file__).parent / "fixtures" / "mini"


def ex(text, label, language="en"):
    return nlu.Example(text, label, language)


def test_the_split_holds_out_a_fifth_of_each_topic_in_each_language():
    examples = [
        ex(f"{label} {lang} {i}", label, lang)
        for label in ("a", "b")
        for lang in ("en", "fa")
        for i in range(10)
    ]
    train, test = nlu.split(examples, holdout=0.2, seed=13)
    assert Counter((e.label, e.language) for e in test) == {
        (label, g): 2 for label in "ab" for g in ("en", "fa")
    }
    assert not set(train) & set(test) and len(train) + len(test) == len(examples)
    assert nlu.split(examples, 0.2, 13) == (train, test)  # fixed seed, same split
    assert nlu.split(examples, 0.2, 14)[1] != test


def test_groups_too_small_to_split_stay_in_training():
    train, test = nlu.split([ex("one", "a"), ex("two", "a")])
    assert len(train) == 2 and test == []


def test_content_examples_are_read_once_each():
    from bot.content.catalogue import TOPICS

    examples = nlu.content_examples(FIXTURE_CONTENT)
    assert examples and len({e.text for e in examples}) == len(examples)
    assert {e.language for e in examples} == {"en"}
    assert {e.label for e in examples} <= set(TOPICS)
    assert nlu.content_examples(FIXTURE_CONTENT, languages=["fr"]) == []


def test_sib_categories_become_intent_names(tmp_path):
    folder = tmp_path / "xxx_Latn"
    folder.mkdir()
    (folder / "dev.tsv").write_text(
        "index_id\tcategory\ttext\n1\tscience/technology\tSome text\n", encoding="utf-8"
    )
    assert nlu.sib_examples(tmp_path, "xxx_Latn", "dev") == [
        ex("Some text", "science_technology", "xxx_Latn")
    ]


def test_metrics():
    gold = ["a", "a", "b", "b"]
    assert nlu.accuracy(gold, ["a", "a", "b", "a"]) == 0.75
    # F1(a) = 2*2/(2*2+1+0) = 0.8, F1(b) = 2*1/(2*1+0+1) = 2/3
    assert nlu.macro_f1(gold, ["a", "a", "b", "a"]) == pytest.approx((0.8 + 2 / 3) / 2)
    assert nlu.macro_f1(gold, gold) == 1.0
    assert nlu.chance(["a", "a", "a", "b"]) == 0.75
    assert nlu.percentile([float(x) for x in range(1, 101)], 95) == pytest.approx(95.05)


def test_training_data_is_written_without_entity_markup(tmp_path):
    import yaml

    nlu.write_nlu(
        [ex("call [112] now {x}", "emergency_general"), ex("hello", "greet")], tmp_path / "nlu.yml"
    )
    data = yaml.safe_load((tmp_path / "nlu.yml").read_text(encoding="utf-8"))
    assert data["nlu"][0] == {"intent": "emergency_general", "examples": "- call (112) now (x)\n"}


TINY = {
    "greet": {
        "en": ["hello", "hi there", "good morning", "hey", "hello friend", "hi"],
        "fr": ["bonjour", "salut", "bonsoir", "coucou", "salut toi", "bonjour à tous"],
    },
    "thanks": {
        "en": ["thank you", "thanks a lot", "many thanks", "thx", "thank you so much", "thanks"],
        "fr": [
            "merci",
            "merci beaucoup",
            "mille mercis",
            "je te remercie",
            "merci bien",
            "merci à vous",
        ],
    },
    "asylum_how_to_apply": {
        "en": [
            "how do i ask for asylum",
            "where to apply for asylum",
            "asylum application steps",
            "how to request protection",
            "apply for asylum where",
            "asylum request how",
        ],
        "fr": [
            "comment demander l'asile",
            "où demander l'asile",
            "demande d'asile étapes",
            "comment faire une demande de protection",
            "demander asile où",
            "procédure de demande d'asile",
        ],
    },
}


@pytest.mark.model
def test_one_run_of_masars_pipeline_produces_every_figure(tmp_path):
    examples = [
        ex(t, topic, lang)
        for topic, langs in TINY.items()
        for lang, texts in langs.items()
        for t in texts
    ]
    train, test = nlu.split(examples, holdout=0.34, seed=1)
    finished = nlu.Finished(tmp_path / "parts.json")
    results = nlu.evaluate(
        {"masar": nlu.PIPELINES["masar"]},
        {"content": [nlu.Model("content", train, test)]},
        tmp_path,
        finished=finished,
    )
    run = results["content"]["masar"]
    scored = run.scored[0]
    assert len(scored.predicted) == len(test) and len(scored.latencies_ms) == len(test)
    assert set(scored.predicted) <= set(TINY)
    assert scored.train_seconds > 0 and scored.load_seconds > 0 and run.import_seconds > 0
    assert run.serve_peak_mb > 0 and run.train_peak_mb > 0
    per_language = nlu.by_language(run)
    assert set(per_language) == {"en", "fr"}
    for accuracy, f1, n in per_language.values():
        assert 0.0 <= accuracy <= 1.0 and 0.0 <= f1 <= 1.0 and n == 6

    table = nlu.report(results)
    for words in (
        "en",
        "fr",
        "average",
        "training from scratch",
        "load to first answer",
        "latency p50",
        "latency p95",
        "peak memory serving",
        "import rasa",
    ):
        assert words in table
    figures = nlu.to_json(results)["content"]["masar"]
    assert (
        set(figures["languages"]) == {"en", "fr"}
        and figures["latency_ms_p95"] >= figures["latency_ms_p50"]
    )

    # taken up again from the file: nothing trained, the same figures
    said: list[str] = []
    again = nlu.evaluate(
        {"masar": nlu.PIPELINES["masar"]},
        {"content": [nlu.Model("content", train, test)]},
        tmp_path / "again",
        said.append,
        nlu.Finished(tmp_path / "parts.json"),
    )
    assert any("taken from the run of" in line for line in said)
    assert not (tmp_path / "again").exists()
    assert nlu.report(again) == table


def test_a_finished_part_is_reused_only_for_the_same_inputs(tmp_path):
    train = [ex("how do i ask for asylum", "asylum"), ex("boat sinking", "sea")]
    test = [ex("asylum where", "asylum"), ex("comment demander l'asile", "asylum", "fr")]
    config = nlu.PIPELINES["rasa-default"]
    run = nlu.Run("rasa-default", "content", import_seconds=2.5, serve_peak_mb=700.0)
    run.scored.append(nlu.Scored("content", 9.0, 1.0, 2, test, ["asylum", "sea"], [7.0, 8.0]))
    stamp = nlu.fingerprint("rasa-default", config, [nlu.Model("content", train, test)])
    nlu.Finished(tmp_path / "parts.json").put(run, stamp)

    back = nlu.Finished(tmp_path / "parts.json").get("content", "rasa-default", stamp)
    assert back is not None
    assert nlu.to_json({"content": {"rasa-default": back[0]}}) == nlu.to_json(
        {"content": {"rasa-default": run}}
    )
    changed = [*test, ex("asylum in germany", "asylum")]
    other = nlu.fingerprint("rasa-default", config, [nlu.Model("content", train, changed)])
    assert other != stamp
    assert nlu.Finished(tmp_path / "parts.json").get("content", "rasa-default", other) is None
    assert nlu.Finished(tmp_path / "parts.json").get("sib200", "rasa-default", stamp) is None
    assert nlu.Finished(tmp_path / "missing.json").get("content", "rasa-default", stamp) is None

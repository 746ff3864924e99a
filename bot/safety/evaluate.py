"""How well the emergency net does: recall and false alarms per launch language.

The labelled set (tests/data/emergency_labelled.yml) holds, per language, messages that
describe immediate danger and ordinary messages, including hard ones ("what happens if the
boat sinks", "my phone is dying"). The content's own examples of non-emergency topics are a
second, independent check of false alarms. Tests assert on these numbers; evaluators read
them with `python -m bot.safety.evaluate`.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from ..content.catalogue import LANGUAGES
from ..content.models import Content
from .emergency import TOPICS as EMERGENCY_TOPICS
from .emergency import EmergencyNet, load_net

ROOT = Path(__file__).resolve().parent.parent.parent
LABELLED = ROOT / "tests" / "data" / "emergency_labelled.yml"


@dataclass
class Score:
    """Results of one language (or of all languages together)."""

    language: str
    emergencies: int = 0
    ordinary: int = 0
    missed: list[str] = field(default_factory=list)
    false_alarms: list[str] = field(default_factory=list)

    @property
    def recall(self) -> float:
        return 1.0 - len(self.missed) / self.emergencies if self.emergencies else 1.0

    @property
    def false_alarm_rate(self) -> float:
        return len(self.false_alarms) / self.ordinary if self.ordinary else 0.0

    def add(self, other: Score) -> None:
        self.emergencies += other.emergencies
        self.ordinary += other.ordinary
        self.missed += other.missed
        self.false_alarms += other.false_alarms


def load_labelled(path: Path = LABELLED) -> dict[str, dict[str, list[str]]]:
    """{language: {"emergency": [...], "not_emergency": [...]}}"""
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return {
        lang: {
            kind: [str(m) for m in (entry or {}).get(kind) or []]
            for kind in ("emergency", "not_emergency")
        }
        for lang, entry in data.items()
    }


def score_labelled(
    net: EmergencyNet, labelled: dict[str, dict[str, list[str]]]
) -> dict[str, Score]:
    """Per language, plus "all": which emergencies were missed and which ordinary messages alarmed."""
    scores: dict[str, Score] = {}
    total = Score("all")
    for language, sets in labelled.items():
        s = Score(language, len(sets["emergency"]), len(sets["not_emergency"]))
        s.missed = [m for m in sets["emergency"] if net.check(m) is None]
        s.false_alarms = [m for m in sets["not_emergency"] if net.check(m) is not None]
        scores[language] = s
        total.add(s)
    scores["all"] = total
    return scores


def score_content(net: EmergencyNet, content: Content) -> tuple[Score, Score]:
    """The content's examples: emergency topics should alarm, all other topics rarely.

    Returns (emergency examples, other examples); messages are "topic/language: example".
    """
    emergencies, others = Score("emergency topics"), Score("other topics")
    for topic in content.topics.values():
        for language, tr in topic.translations.items():
            for example in tr.examples:
                alarm = net.check(example) is not None
                label = f"{topic.id}/{language}: {example}"
                if topic.id in EMERGENCY_TOPICS:
                    emergencies.emergencies += 1
                    if not alarm:
                        emergencies.missed.append(label)
                else:
                    others.ordinary += 1
                    if alarm:
                        others.false_alarms.append(label)
    return emergencies, others


def table(scores: dict[str, Score]) -> str:
    lines = [
        f"{'language':<10}{'emergencies':>12}{'recall':>9}{'ordinary':>10}{'false alarms':>14}"
    ]
    order = [lang for lang in LANGUAGES if lang in scores] + [
        k for k in scores if k not in LANGUAGES
    ]
    for key in order:
        s = scores[key]
        lines.append(
            f"{s.language:<10}{s.emergencies:>12}{s.recall:>9.1%}{s.ordinary:>10}"
            f"{len(s.false_alarms):>5} ({s.false_alarm_rate:>5.1%})"
        )
    return "\n".join(lines)


def model_cost(net: EmergencyNet, messages: list[str]) -> dict[str, float]:
    """Milliseconds the model layer adds per message, p50 and p95.

    "cold": the message's embedding is computed here; "shared": it was already computed (the
    engine runs the net first and the NLU then finds the embedding in bot/nlu/embeddings.py's
    cache, so this is what the layer adds to a message's total).
    """
    import time

    from ..benchmarks.nlu import percentile

    if net.model is None or not messages:
        return {}
    cold: list[float] = []
    shared: list[float] = []
    for text in messages:
        for times in (cold, shared):
            t0 = time.perf_counter()
            net.model.score(text)
            times.append((time.perf_counter() - t0) * 1000)
    return {
        "cold_p50": percentile(cold, 50),
        "cold_p95": percentile(cold, 95),
        "shared_p50": percentile(shared, 50),
        "shared_p95": percentile(shared, 95),
    }


def main(out=None) -> int:
    from ..content.loader import load
    from ..settings import load as load_settings

    out = out or sys.stdout
    settings = load_settings()
    labelled = load_labelled()
    patterns = score_labelled(load_net(settings.content_dir, model=False), labelled)
    print(
        "Reviewed patterns alone on the labelled set (tests/data/emergency_labelled.yml)", file=out
    )
    print(table(patterns), file=out)
    net = load_net(settings.content_dir, settings.build_dir)
    scores = score_labelled(net, labelled)
    print("\nEmergency net, patterns and model, on the labelled set", file=out)
    print(table(scores), file=out)
    if net.model is not None:
        m = net.model
        print(
            f"model layer: threshold {m.threshold:.3f} chosen on a dev split (recall "
            f"{m.dev_recall:.1%}, false alarms {m.dev_false_alarms:.1%}), {m.examples} examples",
            file=out,
        )
        messages = [t for sets in labelled.values() for kind in sets.values() for t in kind]
        cost = model_cost(net, messages)
        print(
            f"model layer cost per message: {cost['shared_p50']:.2f} / {cost['shared_p95']:.2f} ms "
            f"(p50 / p95) with the embedding shared with the NLU, {cost['cold_p50']:.1f} / "
            f"{cost['cold_p95']:.1f} ms when it computes the embedding itself",
            file=out,
        )
    content, _problems = load(settings.content_dir)
    emergencies, others = score_content(net, content)
    print(
        f"\nContent examples: emergency topics {emergencies.emergencies - len(emergencies.missed)}"
        f"/{emergencies.emergencies} alarmed ({emergencies.recall:.1%}); other topics "
        f"{len(others.false_alarms)}/{others.ordinary} alarmed ({others.false_alarm_rate:.1%})",
        file=out,
    )
    for title, items in (
        ("missed emergencies", scores["all"].missed),
        ("false alarms", scores["all"].false_alarms),
        ("content emergency examples missed", emergencies.missed),
        ("content examples alarmed", others.false_alarms),
    ):
        if items:
            print(f"\n{title}:", file=out)
            for item in items:
                print(f"  {item}", file=out)
    return 0


if __name__ == "__main__":
    sys.exit(main())

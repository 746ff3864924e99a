"""`masar bench nlu`: Masar's NLU pipeline (config.yml) against Rasa's default, side by side.

The question it answers: does our pipeline understand people at least as well as Rasa's default
in every launch language, and what does each cost to train, load and run on this machine?

Data sets (each trained and scored with both pipelines in the same run):

- **content**: the topics' own examples, 20% of each topic's examples per language held out
  (fixed seed), one model for all languages, as Masar is trained.
- **sib200**: SIB-200 topic classification (7 news categories, sentences nobody on the project
  wrote), one model per language, trained on ``train.tsv`` and scored on ``dev.tsv``.
- **crosslingual**: trained on the English content examples only, scored on every other
  language's content examples, next to chance (the share of the most frequent topic).
- **chat**: the held-out chat set (tests/data/chat/) through Masar's whole engine, not the
  classifier alone: topic, answer language, emergency net, offer check (bot/benchmarks/chat.py).
  Masar's pipeline only: Rasa's default is not an engine.

Each model trains in a child process and is then served from a fresh child process, so that no
pipeline profits from modules or caches the other one loaded, and peak memory (VmHWM) is the
child's own. Rasa's training cache is switched off, so training is always from scratch. The cost
figures (training time, load time, latency, memory) are those of the content model, the one
Masar serves. "Load" is ``Agent.load`` plus the first answer (lazy models, graph tracing), and
excludes ``import rasa`` (TensorFlow, several seconds), which both pipelines pay and which is
reported on its own line.

Accuracy counts the classifier's best topic: when the FallbackClassifier would answer
``nlu_fallback``, the topic ranked first after it is scored.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[2]
PIPELINES: dict[str, Path] = {
    "masar": REPO_ROOT / "config.yml",
    "rasa-default": Path(__file__).with_name("rasa_default_config.yml"),
}
DEFAULT_SIB200 = REPO_ROOT.parent / "shared" / "datasets" / "sib200"
# The SIB-200 languages that are (or, for Dari, Levantine and romanised Arabic, belong to) a
# launch language.
SIB_LANGUAGES: tuple[str, ...] = (
    "eng_Latn",
    "arb_Arab",
    "arb_Latn",
    "apc_Arab",
    "pes_Arab",
    "prs_Arab",
    "pbt_Arab",
    "tir_Ethi",
    "som_Latn",
    "fra_Latn",
    "spa_Latn",
    "tur_Latn",
    "urd_Arab",
    "ben_Beng",
    "ukr_Cyrl",
)
QUICK_SIB = ("eng_Latn", "arb_Arab", "pes_Arab", "pbt_Arab", "som_Latn")
DATASETS = ("content", "sib200", "crosslingual", "chat", "chat-fresh", "chat-third")
FALLBACK = "nlu_fallback"


@dataclass(frozen=True)
class Example:
    text: str
    label: str
    language: str


@dataclass
class Model:
    """One model to train on `train` and score on `test`."""

    name: str
    train: list[Example]
    test: list[Example]


@dataclass
class Scored:
    """What one pipeline did on one model's test set."""

    model: str
    train_seconds: float
    load_seconds: float
    train_size: int
    gold: list[Example]
    predicted: list[str]
    latencies_ms: list[float]


@dataclass
class Run:
    """One data set through one pipeline: its models' scores and the children's costs."""

    pipeline: str
    dataset: str
    scored: list[Scored] = field(default_factory=list)
    import_seconds: float = 0.0
    train_peak_mb: float = 0.0
    serve_peak_mb: float = 0.0


# --------------------------------------------------------------------------- data


def content_examples(content_dir: Path, languages: Iterable[str] | None = None) -> list[Example]:
    """Every topic's examples, each text once (first topic wins, as in training)."""
    from ..content.catalogue import LANGUAGES, TOPICS
    from ..content.loader import load, normalise_example

    content, _problems = load(content_dir)
    wanted = set(languages or LANGUAGES)
    seen: set = set()
    out: list[Example] = []
    for topic_id in TOPICS:
        topic = content.topics.get(topic_id)
        for language in LANGUAGES:
            tr = topic.translations.get(language) if topic else None
            if tr is None or language not in wanted:
                continue
            for text in tr.examples:
                key = normalise_example(text)
                if key and key not in seen:
                    seen.add(key)
                    out.append(Example(text, topic_id, language))
    return out


def split(
    examples: Sequence[Example], holdout: float = 0.2, seed: int = 13
) -> tuple[list[Example], list[Example]]:
    """Hold out `holdout` of each topic's examples in each language (at least one of three)."""
    groups: dict[tuple[str, str], list[Example]] = defaultdict(list)
    for ex in examples:
        groups[(ex.label, ex.language)].append(ex)
    train: list[Example] = []
    test: list[Example] = []
    for (label, language), group in sorted(groups.items()):
        group = list(group)
        random.Random(f"{seed}|{label}|{language}").shuffle(group)
        k = max(1, round(len(group) * holdout)) if len(group) >= 3 else 0
        test += group[:k]
        train += group[k:]
    return train, test


def sib_examples(root: Path, folder: str, split_name: str) -> list[Example]:
    """One SIB-200 split; categories become intent names ("science/technology" -> "science_technology")."""
    path = root / folder / f"{split_name}.tsv"
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE))
    return [
        Example(
            r["text"].strip(), r["category"].strip().replace("/", "_").replace(" ", "_"), folder
        )
        for r in rows
        if (r.get("text") or "").strip()
    ]


def write_nlu(examples: Sequence[Example], path: Path) -> None:
    """Rasa NLU training data; brackets become parentheses so no text reads as entity markup."""
    import yaml

    by_label: dict[str, list[str]] = defaultdict(list)
    for ex in examples:
        text = " ".join(ex.text.split()).translate(str.maketrans("[]{}", "()()"))
        by_label[ex.label].append(text)
    data = {
        "version": "3.1",
        "nlu": [
            {"intent": label, "examples": "".join(f"- {t}\n" for t in texts)}
            for label, texts in sorted(by_label.items())
        ],
    }
    path.write_text(
        yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=10_000), encoding="utf-8"
    )


# --------------------------------------------------------------------------- metrics


def accuracy(gold: Sequence[str], predicted: Sequence[str]) -> float:
    return sum(g == p for g, p in zip(gold, predicted, strict=True)) / len(gold) if gold else 0.0


def macro_f1(gold: Sequence[str], predicted: Sequence[str]) -> float:
    """Mean F1 over every label that occurs in the gold or the predictions."""
    labels = set(gold) | set(predicted)
    if not labels:
        return 0.0
    total = 0.0
    for label in labels:
        tp = sum(g == p == label for g, p in zip(gold, predicted, strict=True))
        fp = sum(p == label != g for g, p in zip(gold, predicted, strict=True))
        fn = sum(g == label != p for g, p in zip(gold, predicted, strict=True))
        total += 2 * tp / (2 * tp + fp + fn) if tp else 0.0
    return total / len(labels)


def chance(gold: Sequence[str]) -> float:
    """Accuracy of always answering the most frequent topic."""
    return max(Counter(gold).values()) / len(gold) if gold else 0.0


def percentile(values: Sequence[float], q: int) -> float:
    if not values:
        return 0.0
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


def by_language(run: Run) -> dict[str, tuple[float, float, int]]:
    """language -> (accuracy, macro-F1, test size), over all of the run's models."""
    pairs: dict[str, tuple[list[str], list[str]]] = defaultdict(lambda: ([], []))
    for s in run.scored:
        for ex, pred in zip(s.gold, s.predicted, strict=True):
            pairs[ex.language][0].append(ex.label)
            pairs[ex.language][1].append(pred)
    return {lang: (accuracy(g, p), macro_f1(g, p), len(g)) for lang, (g, p) in pairs.items()}


# --------------------------------------------------------------------------- child processes


def _peak_mb() -> float:
    """This process's peak resident memory (VmHWM), in MB."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    import resource

    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024 if sys.platform == "darwin" else 1024)


def _child_train(job: dict) -> dict:
    started = time.perf_counter()
    from rasa.model_training import train_nlu

    imported = time.perf_counter() - started
    out: dict[str, Any] = {"import_seconds": imported, "models": {}}
    for model in job["models"]:
        folder = Path(job["dir"]) / model["name"]
        folder.mkdir(parents=True, exist_ok=True)
        examples = [Example(t, label, "") for t, label in model["train"]]
        write_nlu(examples, folder / "nlu.yml")
        t0 = time.perf_counter()
        path = train_nlu(
            job["config"], str(folder / "nlu.yml"), str(folder), fixed_model_name="model"
        )
        if not path:
            raise RuntimeError(f"training {model['name']} failed")
        out["models"][model["name"]] = {"path": str(path), "seconds": time.perf_counter() - t0}
    out["peak_mb"] = _peak_mb()
    return out


def _best_topic(parse: dict) -> str:
    for candidate in parse.get("intent_ranking") or []:
        if candidate.get("name") and candidate["name"] != FALLBACK:
            return candidate["name"]
    return (parse.get("intent") or {}).get("name") or ""


def _child_serve(job: dict) -> dict:
    import asyncio

    started = time.perf_counter()
    from rasa.core.agent import Agent

    imported = time.perf_counter() - started
    loop = asyncio.new_event_loop()
    out: dict[str, Any] = {"import_seconds": imported, "models": {}}
    for model in job["models"]:
        t0 = time.perf_counter()
        agent = Agent.load(model["path"])
        loop.run_until_complete(agent.parse_message("hello"))  # lazy models, graph tracing
        loaded = time.perf_counter() - t0
        predicted, latencies = [], []
        for text in model["texts"]:
            t1 = time.perf_counter()
            parse = loop.run_until_complete(agent.parse_message(text))
            latencies.append((time.perf_counter() - t1) * 1000)
            predicted.append(_best_topic(parse))
        out["models"][model["name"]] = {
            "load_seconds": loaded,
            "predicted": predicted,
            "latencies_ms": latencies,
        }
    out["peak_mb"] = _peak_mb()
    return out


def _child_main(job_file: str) -> int:
    import logging

    logging.basicConfig(level=logging.WARNING)
    job = json.loads(Path(job_file).read_text(encoding="utf-8"))
    result = _child_train(job) if job["action"] == "train" else _child_serve(job)
    Path(job["result"]).write_text(json.dumps(result), encoding="utf-8")
    return 0


def child_env(work: Path) -> dict[str, str]:
    """The environment of a benchmark's Rasa process: no training cache (so training is from
    scratch), no telemetry, quiet TensorFlow, and one BLAS/OpenMP thread unless the caller set
    more (on 2 cores, oversubscription multiplies latencies)."""
    env = dict(os.environ)
    env.update(
        {
            "RASA_MAX_CACHE_SIZE": "0",
            "RASA_CACHE_DIRECTORY": str(work / "rasa-cache"),
            "RASA_TELEMETRY_ENABLED": "false",
            "TF_CPP_MIN_LOG_LEVEL": "3",
        }
    )
    env.setdefault("OMP_NUM_THREADS", "1")
    return env


def _run_child(job: dict, work: Path, label: str) -> dict:
    """Run one job in a fresh interpreter; its Rasa output goes to a log file in `work`."""
    job_file = work / f"{label}.job.json"
    job["result"] = str(work / f"{label}.result.json")
    job_file.write_text(json.dumps(job), encoding="utf-8")
    env = child_env(work)
    log = work / f"{label}.log"
    with log.open("w", encoding="utf-8") as fh:
        code = subprocess.call(
            [sys.executable, "-m", "bot.benchmarks.nlu", "--child", str(job_file)],
            cwd=str(work),
            env=env,
            stdout=fh,
            stderr=subprocess.STDOUT,
        )
    if code != 0:
        tail = "\n".join(log.read_text(encoding="utf-8", errors="replace").splitlines()[-15:])
        raise RuntimeError(f"{label} failed (exit {code}); see {log}:\n{tail}")
    return json.loads(Path(job["result"]).read_text(encoding="utf-8"))


def run(pipeline: str, config: Path, dataset: str, models: Sequence[Model], work: Path) -> Run:
    """Train `models` with `config` in one child, then score them from another."""
    label = f"{pipeline.replace(' ', '_')}-{dataset}"
    folder = work / label
    folder.mkdir(parents=True, exist_ok=True)
    trained = _run_child(
        {
            "action": "train",
            "config": str(config),
            "dir": str(folder),
            "models": [
                {"name": m.name, "train": [(e.text, e.label) for e in m.train]} for m in models
            ],
        },
        work,
        f"{label}-train",
    )
    served = _run_child(
        {
            "action": "serve",
            "models": [
                {
                    "name": m.name,
                    "path": trained["models"][m.name]["path"],
                    "texts": [e.text for e in m.test],
                }
                for m in models
            ],
        },
        work,
        f"{label}-serve",
    )
    result = Run(
        pipeline,
        dataset,
        import_seconds=served["import_seconds"],
        train_peak_mb=trained["peak_mb"],
        serve_peak_mb=served["peak_mb"],
    )
    for m in models:
        t, s = trained["models"][m.name], served["models"][m.name]
        result.scored.append(
            Scored(
                m.name,
                t["seconds"],
                s["load_seconds"],
                len(m.train),
                list(m.test),
                s["predicted"],
                s["latencies_ms"],
            )
        )
    return result


# --------------------------------------------------------------------------- the benchmark


def datasets(
    names: Sequence[str],
    content_dir: Path,
    sib_dir: Path,
    languages: Sequence[str] | None,
    sib_languages: Sequence[str],
    holdout: float,
    seed: int,
) -> dict[str, list[Model]]:
    """The models each data set needs, with their train and test examples."""
    out: dict[str, list[Model]] = {}
    if "content" in names or "crosslingual" in names:
        examples = content_examples(content_dir, languages)
        if "content" in names:
            train, test = split(examples, holdout, seed)
            out["content"] = [Model("content", train, test)]
        if "crosslingual" in names:
            english = [e for e in examples if e.language == "en"]
            others = [e for e in examples if e.language != "en"]
            if english and others:
                out["crosslingual"] = [Model("crosslingual", english, others)]
    if "sib200" in names:
        missing = [f for f in sib_languages if not (sib_dir / f / "train.tsv").exists()]
        if missing:
            print(
                f"SIB-200: no data for {', '.join(missing)} in {sib_dir}; left out", file=sys.stderr
            )
        out["sib200"] = [
            Model(f, sib_examples(sib_dir, f, "train"), sib_examples(sib_dir, f, "dev"))
            for f in sib_languages
            if f not in missing
        ]
    return out


def fingerprint(pipeline: str, config: Path, models: Sequence[Model]) -> str:
    """What a run's result depends on: the pipeline's configuration (and for Masar's, the
    project's code), every training and test example, the benchmark's own code and the Rasa
    release. Equal fingerprints, equal inputs."""
    import hashlib
    from importlib.metadata import version

    digest = hashlib.sha256()
    for part in (pipeline, config.read_text(encoding="utf-8"), version("rasa")):
        digest.update(part.encode("utf-8") + b"\0")
    digest.update(Path(__file__).read_bytes())
    if config == PIPELINES["masar"]:  # Masar's components are the project's own code
        for source in sorted((REPO_ROOT / "bot").rglob("*.py")):
            digest.update(source.read_bytes())
    for m in models:
        digest.update(m.name.encode("utf-8") + b"\0")
        for group in (m.train, m.test):
            for e in group:
                digest.update(f"{e.text}\t{e.label}\t{e.language}\n".encode())
            digest.update(b"\1")
    return digest.hexdigest()


class Finished:
    """Runs already done, in a file (`--resume`): a run of over an hour on a shared machine
    can be stopped and taken up again; a part is reused only while its fingerprint (inputs,
    configuration, code, Rasa release) is unchanged, and the file says when it was measured."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self.parts: dict = {}
        if path and path.exists():
            self.parts = json.loads(path.read_text(encoding="utf-8"))

    def get(self, dataset: str, pipeline: str, print_: str) -> tuple[Run, str] | None:
        part = self.parts.get(f"{dataset}/{pipeline}")
        if not part or part.get("fingerprint") != print_:
            return None
        run_ = Run(pipeline, dataset, **part["costs"])
        for s in part["scored"]:
            gold = [Example(*e) for e in s.pop("gold")]
            run_.scored.append(Scored(gold=gold, **s))
        return run_, part["measured"]

    def put(self, run_: Run, print_: str) -> None:
        if self.path is None:
            return
        self.parts[f"{run_.dataset}/{run_.pipeline}"] = {
            "fingerprint": print_,
            "measured": time.strftime("%Y-%m-%d %H:%M"),
            "costs": {
                "import_seconds": run_.import_seconds,
                "train_peak_mb": run_.train_peak_mb,
                "serve_peak_mb": run_.serve_peak_mb,
            },
            "scored": [
                {
                    "model": s.model,
                    "train_seconds": s.train_seconds,
                    "load_seconds": s.load_seconds,
                    "train_size": s.train_size,
                    "gold": [(e.text, e.label, e.language) for e in s.gold],
                    "predicted": s.predicted,
                    "latencies_ms": s.latencies_ms,
                }
                for s in run_.scored
            ],
        }
        self.path.parent.mkdir(parents=True, exist_ok=True)
        partial = self.path.with_suffix(".partial")
        partial.write_text(json.dumps(self.parts, ensure_ascii=False), encoding="utf-8")
        partial.replace(self.path)


def evaluate(
    pipelines: dict[str, Path],
    data: dict[str, list[Model]],
    work: Path,
    progress=lambda msg: None,
    finished: Finished | None = None,
) -> dict[str, dict[str, Run]]:
    """dataset -> pipeline -> Run, every pipeline on every data set; parts in `finished`
    with the same fingerprint are taken from there, and each new part is added to it."""
    finished = finished or Finished(None)
    results: dict[str, dict[str, Run]] = {}
    for dataset, models in data.items():
        for pipeline, config in pipelines.items():
            print_ = fingerprint(pipeline, config, models)
            done = finished.get(dataset, pipeline, print_)
            if done is not None:
                results.setdefault(dataset, {})[pipeline] = done[0]
                progress(f"{dataset}: {pipeline!r} taken from the run of {done[1]} (same inputs)")
                continue
            size = sum(len(m.train) for m in models)
            progress(
                f"{dataset}: training and scoring {pipeline!r} ({len(models)} model(s), {size} examples)"
            )
            t0 = time.perf_counter()
            results.setdefault(dataset, {})[pipeline] = run(pipeline, config, dataset, models, work)
            finished.put(results[dataset][pipeline], print_)
            progress(f"{dataset}: {pipeline!r} done in {time.perf_counter() - t0:.0f} s")
    return results


def _mean(values: Iterable[float]) -> float:
    values = list(values)
    return sum(values) / len(values) if values else 0.0


def _ratio(a: float, b: float) -> str:
    return f"{a / b:.1f}x" if b else "-"


def report(results: dict[str, dict[str, Run]]) -> str:
    """The printed tables: accuracy and macro-F1 per language, then costs with ratios."""
    lines: list[str] = []
    titles = {
        "content": "Content examples (20% of each topic's examples per language held out)",
        "sib200": "SIB-200 (one model per language, train.tsv -> dev.tsv)",
        "crosslingual": "Cross-lingual (trained on English content examples only)",
    }
    for dataset, runs in results.items():
        names = list(runs)
        scores = {p: by_language(r) for p, r in runs.items()}
        languages = sorted(
            {lang for s in scores.values() for lang in s}, key=lambda lang: (_order(lang), lang)
        )
        sizes = {lang: next(s[lang][2] for s in scores.values() if lang in s) for lang in languages}
        train_size = sum(s.train_size for s in runs[names[0]].scored)
        lines.append(f"\n{titles.get(dataset, dataset)}: {train_size} training examples")
        head = f"{'language':<12}{'n':>5}"
        if dataset == "crosslingual":
            head += f"{'chance':>8}"
        for p in names:
            head += f"  {p + ' acc':>18}{'F1':>6}"
        if len(names) == 2:
            head += f"{'Δacc':>7}"
        lines.append(head)
        for lang in [*languages, "average"]:
            if lang == "average":
                row = f"{'average':<12}{sum(sizes.values()):>5}"
                if dataset == "crosslingual":
                    row += f"{_mean(_chance(runs, lg) for lg in languages):>8.2f}"
                vals = [
                    (
                        _mean(scores[p][lg][0] for lg in languages if lg in scores[p]),
                        _mean(scores[p][lg][1] for lg in languages if lg in scores[p]),
                    )
                    for p in names
                ]
            else:
                row = f"{lang:<12}{sizes[lang]:>5}"
                if dataset == "crosslingual":
                    row += f"{_chance(runs, lang):>8.2f}"
                vals = [scores[p].get(lang, (0.0, 0.0, 0))[:2] for p in names]
            for acc, f1 in vals:
                row += f"  {acc:>18.3f}{f1:>6.3f}"
            if len(names) == 2:
                row += f"{vals[0][0] - vals[1][0]:>+7.3f}"
            lines.append(row)
        if dataset == "sib200":
            row = f"{'training s':<17}"
            for p in names:
                row += f"  {sum(s.train_seconds for s in runs[p].scored):>18.1f}{'':>6}"
            lines.append(row + "  (all languages)")
    if "content" in results:
        lines.append("\n" + cost_table(results["content"]))
    return "\n".join(lines)


def _chance(runs: dict[str, Run], language: str) -> float:
    run_ = next(iter(runs.values()))
    return chance([e.label for s in run_.scored for e in s.gold if e.language == language])


def _order(language: str) -> int:
    from ..content.catalogue import LANGUAGES

    if language in LANGUAGES:
        return LANGUAGES.index(language)
    if language in SIB_LANGUAGES:
        return SIB_LANGUAGES.index(language)
    return 99


def cost_table(runs: dict[str, Run]) -> str:
    """Training, loading, latency and memory of the content model, with ratios."""
    names = list(runs)
    rows = [
        ("training from scratch (s)", lambda r: sum(s.train_seconds for s in r.scored), "{:.1f}"),
        ("import rasa (s, both pay)", lambda r: r.import_seconds, "{:.1f}"),
        ("load to first answer (s)", lambda r: _mean(s.load_seconds for s in r.scored), "{:.2f}"),
        (
            "latency p50 (ms)",
            lambda r: percentile([x for s in r.scored for x in s.latencies_ms], 50),
            "{:.1f}",
        ),
        (
            "latency p95 (ms)",
            lambda r: percentile([x for s in r.scored for x in s.latencies_ms], 95),
            "{:.1f}",
        ),
        ("peak memory serving (MB)", lambda r: r.serve_peak_mb, "{:.0f}"),
        ("peak memory training (MB)", lambda r: r.train_peak_mb, "{:.0f}"),
    ]
    head = f"{'cost (content model)':<28}" + "".join(f"{p:>14}" for p in names)
    if len(names) == 2:
        head += f"{names[1] + ' / ' + names[0]:>24}"
    lines = [head]
    for title, measure, fmt in rows:
        values = [measure(runs[p]) for p in names]
        line = f"{title:<28}" + "".join(f"{fmt.format(v):>14}" for v in values)
        if len(names) == 2:
            line += f"{_ratio(values[1], values[0]):>24}"
        lines.append(line)
    return "\n".join(lines)


def to_json(results: dict[str, dict[str, Run]]) -> dict:
    out: dict = {}
    for dataset, runs in results.items():
        for pipeline, r in runs.items():
            latencies = [x for s in r.scored for x in s.latencies_ms]
            out.setdefault(dataset, {})[pipeline] = {
                "languages": {
                    lang: {"accuracy": a, "macro_f1": f, "n": n}
                    for lang, (a, f, n) in by_language(r).items()
                },
                "train_seconds": {s.model: s.train_seconds for s in r.scored},
                "load_seconds": {s.model: s.load_seconds for s in r.scored},
                "import_seconds": r.import_seconds,
                "latency_ms_p50": percentile(latencies, 50),
                "latency_ms_p95": percentile(latencies, 95),
                "serve_peak_mb": r.serve_peak_mb,
                "train_peak_mb": r.train_peak_mb,
            }
    return out


# --------------------------------------------------------------------------- command line


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--quick",
        action="store_true",
        help="Masar's pipeline only, and SIB-200 in five languages (minutes, not an hour)",
    )
    parser.add_argument(
        "--pipelines",
        default=None,
        help=f"comma-separated, from: {', '.join(PIPELINES)} (default: both)",
    )
    parser.add_argument(
        "--datasets",
        default=",".join(DATASETS),
        help=f"comma-separated, from: {', '.join(DATASETS)}",
    )
    parser.add_argument(
        "--languages", default=None, help="content languages, e.g. en,ar,fa (default: all)"
    )
    parser.add_argument(
        "--sib-languages", default=None, help="SIB-200 folders, e.g. eng_Latn,pbt_Arab"
    )
    parser.add_argument("--sib-dir", type=Path, default=DEFAULT_SIB200, help="SIB-200 folder")
    parser.add_argument(
        "--holdout", type=float, default=0.2, help="share of content examples held out"
    )
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--json", type=Path, help="also write every figure to this JSON file")
    parser.add_argument(
        "--keep", action="store_true", help="keep the trained models and logs (path printed)"
    )
    parser.add_argument(
        "--resume",
        type=Path,
        help="keep each finished part in this file and reuse the parts whose inputs are unchanged "
        "(a long run can be stopped and taken up again)",
    )


def _csv(value: str | None) -> list[str] | None:
    return [v.strip() for v in value.split(",") if v.strip()] if value else None


def main(args: argparse.Namespace, content_dir: Path = REPO_ROOT / "content") -> int:
    chosen = _csv(args.pipelines) or (["masar"] if args.quick else list(PIPELINES))
    unknown = [p for p in chosen if p not in PIPELINES]
    names = _csv(args.datasets) or list(DATASETS)
    bad = [d for d in names if d not in DATASETS]
    if unknown or bad:
        print(
            f"masar bench nlu: unknown pipeline or data set: {', '.join(unknown + bad)} "
            f"(pipelines: {', '.join(PIPELINES)}; data sets: {', '.join(DATASETS)})",
            file=sys.stderr,
        )
        return 2
    sib = _csv(args.sib_languages) or list(QUICK_SIB if args.quick else SIB_LANGUAGES)

    def progress(msg: str) -> None:
        print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)

    data = datasets(
        [n for n in names if not n.startswith("chat")],
        content_dir,
        args.sib_dir,
        _csv(args.languages),
        sib,
        args.holdout,
        args.seed,
    )
    work = Path(tempfile.mkdtemp(prefix="masar-bench-nlu-"))
    try:
        results = evaluate(
            {p: PIPELINES[p] for p in chosen}, data, work, progress, Finished(args.resume)
        )
    finally:
        if args.keep:
            progress(f"models and logs kept in {work}")
        else:
            import shutil

            shutil.rmtree(work, ignore_errors=True)
    out = to_json(results)
    if results:
        print(report(results))
    chat_sets = [n for n in names if n.startswith("chat")]
    if chat_sets and "masar" in chosen:
        from . import chat

        engine = None
        for name in chat_sets:
            progress(f"{name}: the held-out chat set through the engine (training first if needed)")
            run = chat.run_chat(chat.load_chat_set(chat.CHAT_SETS[name]), engine)
            engine = run.engine
            figures = chat.summary(run)
            print(chat.report(figures, name))
            out[name] = {"masar": figures}
    if args.json:
        args.json.write_text(json.dumps(out, indent=1, ensure_ascii=False), encoding="utf-8")
    return 0


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--child":
        sys.exit(_child_main(sys.argv[2]))
    parser = argparse.ArgumentParser(
        prog="python -m bot.benchmarks.nlu", description=__doc__.splitlines()[0]
    )
    add_arguments(parser)
    sys.exit(main(parser.parse_args()))

"""Benchmark of offline language identification for Masar's launch languages.

Run from the repository root::

    python -m bot.benchmarks.language                  # dev + train, all detectors found
    python -m bot.benchmarks.language --splits dev --limit 50 --detectors pycld2,masar

It compares the packages that could sit under ``bot.language`` (pycld2, lingua, py3langid),
each restricted to the launch languages it knows, with ``bot.language.detect`` itself ("masar").
Data: SIB-200 sentences (news-style text that nobody on the project wrote), their first three
words (to mimic chat messages), and the ``languages.<code>.examples`` of the content topics
(real chat-like questions). Printed: accuracy per language and detector, the median time of one
call, and the load time (import + build + first call, measured in a fresh interpreter so that
modules already imported here do not hide it).

The content examples are also split in two halves by a fixed hash of their text (``half``):
word lists and weights in ``bot.language`` may be tuned by looking at half A only, and half B
says how well that generalises to messages the tuning never saw. Romanised examples of the
languages with their own script (Roman Urdu, Banglish, Finglish, Arabizi ...) get rows of their
own, "ur (Latin)", followed by the totals per language over both scripts.

A detector counts as right when it names the expected launch language; for romanised Arabic
(``arb_Latn`` and Latin-script ``ar`` examples) that is ``ar``, for Roman Urdu ``ur``. The
packages have no notion of Arabizi, so the Arabizi flag is scored separately, for "masar" only.

Nothing here is imported by the bot at run time; the packages are optional and skipped when
missing (heliport is not measured: its wheel is GPL-3.0, which Masar cannot ship).
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_SIB200 = REPO_ROOT.parent / "shared" / "datasets" / "sib200"
DEFAULT_TOPICS = REPO_ROOT / "content" / "topics"

LAUNCH = ("en", "ar", "fa", "ps", "ti", "so", "fr", "es", "tr", "ur", "bn", "uk")
# Launch languages with a script of their own: their Latin-script examples are romanised.
OWN_SCRIPT = ("ar", "fa", "ps", "ti", "ur", "bn", "uk")

# SIB-200 folder -> expected Masar code. Dari (prs) counts as fa; Levantine (apc) and romanised
# Arabic (arb_Latn) count as ar.
SIB200_LABELS: dict[str, str] = {
    "eng_Latn": "en",
    "arb_Arab": "ar",
    "arb_Latn": "ar",
    "apc_Arab": "ar",
    "pes_Arab": "fa",
    "prs_Arab": "fa",
    "pbt_Arab": "ps",
    "tir_Ethi": "ti",
    "som_Latn": "so",
    "fra_Latn": "fr",
    "spa_Latn": "es",
    "tur_Latn": "tr",
    "urd_Arab": "ur",
    "ben_Beng": "bn",
    "ukr_Cyrl": "uk",
}
ARABIZI_ROWS = {"arb_Latn", "ar (Latin)"}

Detect = Callable[[str], tuple[str | None, bool]]


# --------------------------------------------------------------------------- data


def load_sib200(root: Path, splits: tuple[str, ...], limit: int | None) -> dict[str, list[str]]:
    """Sentences per SIB-200 folder (only the folders in SIB200_LABELS that exist)."""
    data: dict[str, list[str]] = {}
    for folder in SIB200_LABELS:
        texts: list[str] = []
        for split in splits:
            path = root / folder / f"{split}.tsv"
            if not path.exists():
                continue
            with path.open(encoding="utf-8", newline="") as fh:
                for row in csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE):
                    text = (row.get("text") or "").strip()
                    if text:
                        texts.append(text)
        if texts:
            data[folder] = texts[:limit] if limit else texts
    return data


def fragment(text: str, words: int = 3) -> str:
    """The first ``words`` words: roughly the length of a chat message."""
    return " ".join(text.split()[:words])


def load_content_examples(topics_dir: Path) -> dict[str, list[str]]:
    """``languages.<code>.examples`` of every topic file, keyed by code.

    Latin-script examples of a language with its own script (Arabizi, Roman Urdu ...) get their
    own row, "ar (Latin)", "ur (Latin)". Files that do not parse (others may be writing them while
    this runs) are skipped with a note on stderr.
    """
    import yaml

    rows: dict[str, list[str]] = {}
    for path in sorted(topics_dir.glob("*.yml")):
        try:
            doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except Exception as exc:
            print(f"skipped {path.name}: {exc.__class__.__name__}", file=sys.stderr)
            continue
        languages = doc.get("languages") if isinstance(doc, dict) else None
        if not isinstance(languages, dict):
            continue
        for code, block in languages.items():
            code = str(code)
            if code not in LAUNCH or not isinstance(block, dict):
                continue
            for example in block.get("examples") or []:
                if not isinstance(example, str) or not example.strip():
                    continue
                key = code
                if code in OWN_SCRIPT and _is_latin(example):
                    key = f"{code} (Latin)"
                rows.setdefault(key, []).append(example.strip())
    return rows


def _is_latin(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    return bool(letters) and sum(c.isascii() for c in letters) > len(letters) / 2


def half(text: str) -> str:
    """ "A" or "B", fixed for a text on every machine and run (unlike Python's salted hash)."""
    return "AB"[hashlib.sha256(text.encode("utf-8")).digest()[0] % 2]


def split_halves(rows: dict[str, list[str]]) -> dict[str, dict[str, list[str]]]:
    """{"A": rows, "B": rows}: every row's texts divided by ``half``."""
    out: dict[str, dict[str, list[str]]] = {"A": {}, "B": {}}
    for row, texts in rows.items():
        for text in texts:
            out[half(text)].setdefault(row, []).append(text)
    return out


def expected_code(row: str) -> str:
    if row in SIB200_LABELS:
        return SIB200_LABELS[row]
    return row.split(" ")[0]


# --------------------------------------------------------------------------- detectors


def _setup_pycld2() -> Detect:
    import pycld2

    launch = set(LAUNCH)

    def detect(text: str) -> tuple[str | None, bool]:
        try:
            _, _, details = pycld2.detect(text, bestEffort=True)
        except pycld2.error:
            return None, False
        for _, code, _, _ in details:
            code = "fa" if code == "prs" else code
            if code in launch:  # restrict: the first of the top three that is a launch language
                return code, False
        return None, False

    return detect


def _setup_lingua() -> Detect:
    from lingua import IsoCode639_1, Language, LanguageDetectorBuilder

    languages = []
    for code in LAUNCH:
        try:
            languages.append(Language.from_iso_code_639_1(getattr(IsoCode639_1, code.upper())))
        except (AttributeError, ValueError):
            pass  # lingua has no Pashto and no Tigrinya
    detector = LanguageDetectorBuilder.from_languages(*languages).build()

    def detect(text: str) -> tuple[str | None, bool]:
        language = detector.detect_language_of(text)
        return (language.iso_code_639_1.name.lower() if language else None), False

    return detect


def _setup_py3langid() -> Detect:
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    identifier = LanguageIdentifier.from_pickled_model(MODEL_FILE, norm_probs=False)
    identifier.set_languages([c for c in LAUNCH if c not in ("so", "ti")])  # not in its model

    def detect(text: str) -> tuple[str | None, bool]:
        return identifier.classify(text)[0], False

    return detect


def _setup_masar() -> Detect:
    from bot import language

    language.warm_up()  # both lingua models, as the bot loads them at start-up

    def detect(text: str) -> tuple[str | None, bool]:
        result = language.detect(text)
        return result.language, result.arabizi

    return detect


DETECTORS: dict[str, Callable[[], Detect]] = {
    "pycld2": _setup_pycld2,
    "lingua": _setup_lingua,
    "py3langid": _setup_py3langid,
    "masar": _setup_masar,
}
WARM_UP = "Hello, where can I find help?"


def measure_load(name: str) -> float | None:
    """Seconds to import, build and run a first call, in a fresh interpreter."""
    code = (
        "import time; t = time.perf_counter()\n"
        "from bot.benchmarks.language import DETECTORS, WARM_UP\n"
        f"DETECTORS[{name!r}]()(WARM_UP)\n"
        "print(time.perf_counter() - t)\n"
    )
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO_ROOT), env.get("PYTHONPATH")]))
    try:
        out = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=300
        )
    except subprocess.TimeoutExpired:
        return None
    if out.returncode != 0:
        return None
    return float(out.stdout.strip().splitlines()[-1])


# --------------------------------------------------------------------------- scoring


@dataclass
class Score:
    right: int = 0
    total: int = 0
    arabizi_flagged: int = 0
    times_ns: list[int] = field(default_factory=list)

    @property
    def accuracy(self) -> float:
        return self.right / self.total if self.total else float("nan")


def evaluate(detect: Detect, rows: dict[str, list[str]]) -> dict[str, Score]:
    scores: dict[str, Score] = {}
    clock = time.perf_counter_ns
    for row, texts in rows.items():
        expected = expected_code(row)
        score = scores.setdefault(row, Score())
        for text in texts:
            start = clock()
            code, arabizi = detect(text)
            score.times_ns.append(clock() - start)
            score.total += 1
            score.right += code == expected
            score.arabizi_flagged += bool(arabizi)
    return scores


def by_language(scores: dict[str, Score]) -> dict[str, Score]:
    """Rows of one language ("ur", "ur (Latin)") added up, keyed by its code."""
    out: dict[str, Score] = {}
    for row, score in scores.items():
        total = out.setdefault(expected_code(row), Score())
        total.right += score.right
        total.total += score.total
    return out


def print_table(title: str, results: dict[str, dict[str, Score]], rows: list[str]) -> None:
    names = list(results)
    width = max([len(r) for r in rows] + [12])
    print(f"\n## {title}")
    print(f"{'language':<{width}} {'n':>5} " + " ".join(f"{n:>9}" for n in names))

    def line(label: str, cells_of: dict[str, dict[str, Score]], row: str) -> None:
        n = next((cells_of[name][row].total for name in names if row in cells_of[name]), 0)
        cells = []
        for name in names:
            score = cells_of[name].get(row)
            cells.append(f"{score.accuracy * 100:8.1f}%" if score and score.total else f"{'-':>9}")
        print(f"{label:<{width}} {n:>5} " + " ".join(cells))

    for row in rows:
        line(row, results, row)
    if any(expected_code(row) != row for row in rows if row not in SIB200_LABELS):
        totals = {name: by_language(results[name]) for name in names}
        codes = sorted({expected_code(r) for r in rows}, key=_content_order)
        print(f"{'-- all scripts':<{width}}")
        for code in codes:
            line(f"{code} (all)", totals, code)
    macro = []
    for name in names:
        accs = [
            results[name][r].accuracy for r in rows if r in results[name] and results[name][r].total
        ]
        macro.append(f"{statistics.mean(accs) * 100:8.1f}%" if accs else f"{'-':>9}")
    print(f"{'macro avg':<{width}} {'':>5} " + " ".join(macro))
    medians = []
    for name in names:
        times = [t for s in results[name].values() for t in s.times_ns]
        medians.append(f"{statistics.median(times) / 1e6:8.3f}ms" if times else f"{'-':>10}")
    print(f"{'median/call':<{width}} {'':>5} " + " ".join(f"{m:>9}" for m in medians))
    if "masar" in results:
        flagged = results["masar"]
        arz = [flagged[r] for r in rows if r in ARABIZI_ROWS and r in flagged]
        other = [flagged[r] for r in rows if r not in ARABIZI_ROWS and r in flagged]
        if arz:
            hit = sum(s.arabizi_flagged for s in arz) / sum(s.total for s in arz)
            print(f"masar arabizi flag: {hit * 100:.1f}% of romanised Arabic", end="")
        print(f"; false Arabizi flags elsewhere: {sum(s.arabizi_flagged for s in other)}")


def main(argv: list[str] | None = None) -> int:
    from bot.settings import load

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sib200", type=Path, default=load().sib200_dir or DEFAULT_SIB200)
    parser.add_argument("--topics", type=Path, default=DEFAULT_TOPICS)
    parser.add_argument("--splits", default="dev,train", help="comma-separated SIB-200 splits")
    parser.add_argument("--limit", type=int, default=None, help="sentences per language")
    parser.add_argument("--detectors", default=",".join(DETECTORS))
    parser.add_argument(
        "--no-load-time", action="store_true", help="skip the fresh-interpreter load timing"
    )
    parser.add_argument(
        "--language-model",
        choices=("full", "small"),
        default="full",
        help="lingua's mode under the 'masar' detector (MASAR_LANGUAGE_MODEL)",
    )
    args = parser.parse_args(argv)
    from bot import language

    language.use_model(args.language_model)

    sib = load_sib200(args.sib200, tuple(s for s in args.splits.split(",") if s), args.limit)
    if not sib:
        print(f"no SIB-200 data under {args.sib200}", file=sys.stderr)
    frags = {row: [fragment(t) for t in texts] for row, texts in sib.items()}
    content = load_content_examples(args.topics) if args.topics.exists() else {}

    detectors: dict[str, Detect] = {}
    for name in args.detectors.split(","):
        if name not in DETECTORS:
            parser.error(f"unknown detector {name}; known: {', '.join(DETECTORS)}")
        try:
            detectors[name] = DETECTORS[name]()
        except ImportError as exc:
            print(f"{name}: not installed ({exc})", file=sys.stderr)

    halves = split_halves(content)
    datasets = [
        (f"SIB-200 full sentences ({args.splits})", sib),
        ("SIB-200 first 3 words", frags),
        (f"content examples ({args.topics.name}/*.yml)", content),
        ("content examples, half A (may be tuned on)", halves["A"]),
        ("content examples, half B (held out)", halves["B"]),
    ]
    for title, rows in datasets:
        if not rows:
            continue
        results = {name: evaluate(detect, rows) for name, detect in detectors.items()}
        order = [r for r in SIB200_LABELS if r in rows] or sorted(rows, key=_content_order)
        print_table(title, results, order)

    if not args.no_load_time:
        print("\n## load time (import + build + first call, fresh interpreter)")
        for name in detectors:
            seconds = measure_load(name)
            print(f"{name:<10} {seconds:6.2f} s" if seconds is not None else f"{name:<10} failed")
    return 0


def _content_order(row: str) -> tuple[int, str]:
    code = expected_code(row)
    return (LAUNCH.index(code) if code in LAUNCH else len(LAUNCH), row)


if __name__ == "__main__":
    sys.exit(main())

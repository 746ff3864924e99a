"""The model layer of the emergency net: danger described in any words, in every language.

The reviewed patterns (content/safety/emergency.yml) know the usual words; people in danger
often describe what they see instead ("her waters broke in the forest", "he fell and makes a
strange noise", "walaashay way suuxday"). This layer is a small logistic regression over the
multilingual sentence embedding the NLU already uses (meaning, in any launch language) and
hashed character n-grams of the folded text (dialect spellings, Arabizi, typos). It learns from
labelled examples that ship with the content: content/safety/emergency_examples.yml (positives
and hard negatives per language and in Latin letters) plus the emergency topics' examples
(positives) and every other topic's examples (ordinary messages).

It is tuned for recall, because a false alarm costs a few lines of numbers and a miss can cost a
life: the threshold is set on a held-out dev split (a fifth of the examples of each language and
kind) from the scores of its curated emergencies, lowered by a safety margin (`choose_threshold`);
the dev split's recall and false alarms are stored with the model and printed by
`python -m bot.safety.evaluate`. Measured figures and the trade-off between recall and false
alarms: docs/benchmarks/chat-2026-12-02.md. It never looks at the topic classifier: it runs
before Rasa on every message.

The trained weights are plain numpy arrays in build/safety/, named by a fingerprint of the
examples and of the settings below, so editing an example retrains it at the next start (a minute
or two: the examples' embeddings are cached with the NLU's).
"""

from __future__ import annotations

import hashlib
import logging
import random
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..content.yamlio import read_yaml
from .text import fold

logger = logging.getLogger(__name__)

CLASSES = ("none", "emergency_at_sea", "emergency_general")
NGRAM_DIM = 1 << 15  # hashed character n-gram buckets
NGRAMS = (2, 3, 4)
EMBED_DIM = 384
DEV_SHARE = 0.2
MARGIN = 0.8  # the threshold is this share of the dev score it is derived from
MAX_THRESHOLD = 0.5
SPARED = 1  # how many of the lowest-scoring curated dev emergencies may fall below it (~2%)
CURATED_WEIGHT = 3.0  # the curated examples describe "danger now"; the topics' examples less so
VERSION = "1"
EXAMPLES_FILE = Path("safety") / "emergency_examples.yml"


# --------------------------------------------------------------------------- features


def ngram_counts(text: str) -> dict[int, float]:
    """Hashed character n-grams inside word boundaries of the folded text, unit length."""
    counts: dict[int, float] = {}
    for word in fold(text).split():
        padded = f" {word} "
        for n in NGRAMS:
            for i in range(max(1, len(padded) - n + 1)):
                gram = padded[i : i + n]
                h = zlib.crc32(gram.encode("utf-8")) % NGRAM_DIM
                counts[h] = counts.get(h, 0.0) + 1.0
    norm = sum(v * v for v in counts.values()) ** 0.5 or 1.0
    return {k: v / norm for k, v in counts.items()}


def embed(texts: list[str], cache_file: Path | None = None) -> np.ndarray:
    """Sentence embeddings, unit length; training texts go through the NLU's embedding cache."""
    from ..nlu.embeddings import MAX_CHARS, EmbeddingCache, query

    cut = [t[:MAX_CHARS] for t in texts]
    if cache_file is None:
        vectors = query(cut)
    else:
        cache = EmbeddingCache(cache_file)
        vectors = cache.embed(cut)
        cache.save()
    vectors = np.atleast_2d(np.asarray(vectors, dtype=np.float32))
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return vectors / norms


# --------------------------------------------------------------------------- the model


@dataclass
class EmergencyModel:
    """Weights per class over [embedding, n-grams]; `score(text)` -> (p(emergency), topic)."""

    coef: np.ndarray  # (n_classes, EMBED_DIM + NGRAM_DIM)
    intercept: np.ndarray  # (n_classes,)
    threshold: float
    dev_recall: float = 0.0
    dev_false_alarms: float = 0.0
    examples: int = 0

    def _probabilities(self, vector: np.ndarray, grams: dict[int, float]) -> np.ndarray:
        logits = self.coef[:, :EMBED_DIM] @ vector + self.intercept
        if grams:
            idx = np.fromiter(grams.keys(), dtype=np.int64) + EMBED_DIM
            logits = logits + self.coef[:, idx] @ np.fromiter(grams.values(), dtype=np.float32)
        logits = logits - logits.max()
        p = np.exp(logits)
        return p / p.sum()

    def score(self, text: str) -> tuple[float, str]:
        """The probability that the message describes an emergency now, and which kind."""
        p = self._probabilities(embed([text])[0], ngram_counts(text))
        topic = CLASSES[1] if p[1] >= p[2] else CLASSES[2]
        return float(1.0 - p[0]), topic

    def check(self, text: str) -> str | None:
        """The emergency topic when the score reaches the recall-tuned threshold."""
        score, topic = self.score(text)
        return topic if score >= self.threshold else None

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp.npz")
        np.savez_compressed(
            tmp,
            coef=self.coef.astype(np.float32),
            intercept=self.intercept.astype(np.float32),
            meta=np.array(
                [self.threshold, self.dev_recall, self.dev_false_alarms, self.examples],
                dtype=np.float64,
            ),
        )
        tmp.replace(path)

    @classmethod
    def read(cls, path: Path) -> EmergencyModel:
        with np.load(path) as data:
            threshold, recall, false_alarms, n = (float(x) for x in data["meta"])
            return cls(data["coef"], data["intercept"], threshold, recall, false_alarms, int(n))


# --------------------------------------------------------------------------- training data


@dataclass(frozen=True)
class Labelled:
    text: str
    label: str  # one of CLASSES
    group: str  # language (or language-latn) and source, for the dev split


def shipped_examples(content_dir: Path) -> list[Labelled]:
    """content/safety/emergency_examples.yml: {language: {kind: [texts]}}."""
    path = content_dir / EXAMPLES_FILE
    if not path.exists():
        return []
    data = read_yaml(path) or {}
    out = []
    for language, kinds in (data.get("examples") or {}).items():
        for kind, texts in (kinds or {}).items():
            label = "none" if kind == "not_emergency" else str(kind)
            if label not in CLASSES:
                continue
            out += [Labelled(" ".join(str(t).split()), label, f"{language}") for t in texts or []]
    return out


def topic_examples(content) -> list[Labelled]:
    """The topics' examples, as the NLU trains on them: emergency topics vs all the others."""
    from ..build import training_examples

    out = []
    for topic, texts in training_examples(content).items():
        label = topic if topic in CLASSES else "none"
        out += [Labelled(t, label, f"topic:{topic}") for t, _language in texts]
    return out


def fingerprint(examples: Iterable[Labelled]) -> str:
    """Names the trained weights: the examples and every setting that shapes the model (bump
    VERSION when the training code changes)."""
    settings = (
        VERSION,
        NGRAM_DIM,
        NGRAMS,
        DEV_SHARE,
        MARGIN,
        MAX_THRESHOLD,
        SPARED,
        CURATED_WEIGHT,
    )
    h = hashlib.sha256(repr(settings).encode())
    for ex in examples:
        h.update(f"{ex.label}\t{ex.group}\t{ex.text}\n".encode())
    return h.hexdigest()[:16]


def dev_split(examples: list[Labelled], seed: int = 7) -> tuple[list[int], list[int]]:
    """A fifth of each (group, label) held out for choosing the threshold."""
    groups: dict[tuple[str, str], list[int]] = {}
    for i, ex in enumerate(examples):
        groups.setdefault((ex.group.split(":")[0], ex.label), []).append(i)
    train, dev = [], []
    for key, idx in sorted(groups.items()):
        idx = list(idx)
        random.Random(f"{seed}|{key}").shuffle(idx)
        k = round(len(idx) * DEV_SHARE) if len(idx) >= 4 else 0
        dev += idx[:k]
        train += idx[k:]
    return sorted(train), sorted(dev)


def _matrix(vectors: np.ndarray, texts: list[str]):
    import scipy.sparse as sp

    rows, cols, vals = [], [], []
    for r, text in enumerate(texts):
        for c, v in ngram_counts(text).items():
            rows.append(r)
            cols.append(c)
            vals.append(v)
    grams = sp.csr_matrix((vals, (rows, cols)), shape=(len(texts), NGRAM_DIM), dtype=np.float32)
    return sp.hstack([sp.csr_matrix(vectors), grams]).tocsr()


def _fit(x, y: np.ndarray, weights: np.ndarray):
    from sklearn.linear_model import LogisticRegression

    model = LogisticRegression(C=10.0, class_weight="balanced", max_iter=3000)
    model.fit(x, y, sample_weight=weights)
    # sklearn orders classes by value; y holds indices into CLASSES, all three present
    return model.coef_.astype(np.float32), model.intercept_.astype(np.float32)


def dev_scores(model: EmergencyModel, x, rows: list[int]) -> np.ndarray:
    """p(emergency) of some rows of the training matrix."""
    out = []
    for i in rows:
        row = x[i]
        grams = {
            int(c) - EMBED_DIM: float(v)
            for c, v in zip(row.indices, row.data, strict=True)
            if c >= EMBED_DIM
        }
        out.append(1.0 - model._probabilities(row[:, :EMBED_DIM].toarray()[0], grams)[0])
    return np.array(out)


def choose_threshold(curated: np.ndarray) -> float:
    """A share (MARGIN) of the score of the dev split's curated emergencies, all but SPARED.

    Curated: from emergency_examples.yml, written to say "danger now". The topics' examples
    also hold questions such as "what number do I call for an ambulance", which the topic
    classifier answers well. Measured on the dev split, catching the very last curated
    emergency too (SPARED = 0) quadrupled the false alarms (4% -> 15% of ordinary messages)
    while the margin already catches most of what lies below; see docs/benchmarks/.
    """
    if not len(curated):
        return MAX_THRESHOLD
    ranked = np.sort(curated)
    return min(MAX_THRESHOLD, float(ranked[min(SPARED, len(ranked) - 1)]) * MARGIN)


def train(examples: list[Labelled], cache_file: Path | None = None) -> EmergencyModel:
    """Fit on the training split, pick the threshold on the dev split, refit on everything."""
    texts = [ex.text for ex in examples]
    y = np.array([CLASSES.index(ex.label) for ex in examples])
    x = _matrix(embed(texts, cache_file), texts)
    curated_all = np.array([not ex.group.startswith("topic:") for ex in examples])
    weights = np.where(curated_all, CURATED_WEIGHT, 1.0)
    train_idx, dev_idx = dev_split(examples)
    coef, intercept = _fit(x[train_idx], y[train_idx], weights[train_idx])
    probe = EmergencyModel(coef, intercept, threshold=0.5)
    scores = dev_scores(probe, x, dev_idx)
    dev_y = y[dev_idx]
    threshold = choose_threshold(scores[(dev_y > 0) & curated_all[dev_idx]])
    positives, negatives = scores[dev_y > 0], scores[dev_y == 0]
    recall = float((positives >= threshold).mean()) if len(positives) else 1.0
    false_alarms = float((negatives >= threshold).mean()) if len(negatives) else 0.0
    coef, intercept = _fit(x, y, weights)
    logger.info(
        "emergency model: threshold %.3f, dev recall %.3f, dev false alarms %.3f (%d examples)",
        threshold,
        recall,
        false_alarms,
        len(examples),
    )
    return EmergencyModel(coef, intercept, threshold, recall, false_alarms, len(examples))


def load_or_train(content_dir: Path, build_dir: Path, content=None) -> EmergencyModel | None:
    """The model for the current examples: from build/safety/ if trained before, else trained now.

    Returns None (the patterns still work) when there is nothing to learn from or training fails.
    """
    try:
        if content is None:
            from ..content.loader import load

            content = load(content_dir)[0]
        examples = shipped_examples(content_dir) + topic_examples(content)
        if not any(ex.label != "none" for ex in examples):
            return None
        path = build_dir / "safety" / f"emergency-model-{fingerprint(examples)}.npz"
        if path.exists():
            return EmergencyModel.read(path)
        model = train(examples, build_dir / "cache" / "embeddings.npz")
        model.save(path)
        return model
    except Exception:
        logger.exception("emergency model not available; the reviewed patterns still answer")
        return None

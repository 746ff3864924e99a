"""Topic classifier: logistic regression over sentence embeddings and character n-grams.

Why not DIET: on 2 cores Rasa's default pipeline took 18 minutes to train on our data, 9 s to
load and 1.2 GB of memory (docs/benchmarks/nlu-2026-11-23.md). A linear model over good
features trains in seconds once the examples are embedded and loads in milliseconds, and with
multilingual embeddings (meaning) plus character n-grams (dialect spellings, typos, Arabizi) it
is more accurate here in every launch language (see `masar bench nlu`).

The model is stored as plain numpy arrays (no pickle), so loading needs neither scikit-learn
nor skops; scikit-learn is only imported for training.
"""

from __future__ import annotations

import json
import logging
from typing import Any

import numpy as np
import scipy.sparse as sp
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.nlu.featurizers.featurizer import Featurizer
from rasa.shared.nlu.constants import INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from .. import progress

logger = logging.getLogger(__name__)


def _row_normalise(matrix):
    """Scale each row to unit length, so long pasted messages weigh like short ones."""
    if sp.issparse(matrix):
        norms = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=1))).ravel()
        norms[norms == 0] = 1.0
        return sp.diags(1.0 / norms) @ matrix
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return matrix / norms


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class TopicClassifier(IntentClassifier, GraphComponent):
    """Multinomial logistic regression on [embedding, tf-idf char n-grams] features."""

    @classmethod
    def required_components(cls) -> list[type]:
        return [Featurizer]

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {
            # inverse regularisation strength of the logistic regression
            "C": 20.0,
            "max_iter": 300,
            # relative weight of the dense (meaning) and sparse (spelling) feature blocks
            "dense_weight": 1.0,
            "sparse_weight": 1.0,
            "ranking_length": 10,
        }

    def __init__(
        self, config: dict[str, Any], model_storage: ModelStorage, resource: Resource
    ) -> None:
        self.config = {**self.get_default_config(), **config}
        self._model_storage = model_storage
        self._resource = resource
        self.classes: list[str] = []
        self.coef: np.ndarray | None = None  # (n_features, n_classes)
        self.intercept: np.ndarray | None = None
        self.idf: np.ndarray | None = None
        self.n_dense = 0

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> TopicClassifier:
        return cls(config, model_storage, resource)

    # -- features ---------------------------------------------------------------------------
    @staticmethod
    def _raw(messages: list[Message]):
        dense, sparse = [], []
        for m in messages:
            _, s = m.get_sparse_features(TEXT)
            _, d = m.get_dense_features(TEXT)
            sparse.append(sp.csr_matrix(s.features) if s is not None else None)
            dense.append(
                np.asarray(d.features, dtype=np.float32).reshape(1, -1) if d is not None else None
            )
        return dense, sparse

    def _blocks(self, messages: list[Message]):
        """The two feature blocks, weighted and row-normalised: dense (n, 384) and sparse tf-idf."""
        dense, sparse = self._raw(messages)
        d = s = None
        if self.n_dense:
            d = np.vstack(
                [x if x is not None else np.zeros((1, self.n_dense), np.float32) for x in dense]
            )
            d = _row_normalise(d) * self.config["dense_weight"]
        if self.idf is not None:
            width = self.idf.shape[0]
            rows = []
            for x in sparse:
                if x is None:
                    rows.append(sp.csr_matrix((1, width), dtype=np.float32))
                else:  # the vocabulary is fixed at training time; guard against width drift
                    rows.append(
                        x[:, :width]
                        if x.shape[1] >= width
                        else sp.hstack([x, sp.csr_matrix((1, width - x.shape[1]))])
                    )
            s = sp.vstack(rows).tocsr().astype(np.float32)
            s.data = (1.0 + np.log(s.data.clip(min=1e-9))) * self.idf[
                s.indices
            ]  # sublinear tf x idf
            s = _row_normalise(s) * self.config["sparse_weight"]
        return d, s

    def _features(self, messages: list[Message]):
        """One sparse matrix [dense | sparse] for scikit-learn."""
        d, s = self._blocks(messages)
        return sp.hstack([sp.csr_matrix(b) for b in (d, s) if b is not None]).tocsr()

    def _scores(self, messages: list[Message]) -> np.ndarray:
        """Class scores block by block: the same as `_features(...) @ coef`, without stacking."""
        if self.coef is None or self.intercept is None:
            raise RuntimeError("the topic classifier is used before it was trained or loaded")
        d, s = self._blocks(messages)
        scores = np.tile(self.intercept, (len(messages), 1))
        if d is not None:
            scores += d @ self.coef[: self.n_dense]
        if s is not None:
            scores += np.asarray(s @ self.coef[self.n_dense :])
        return scores

    # -- training ---------------------------------------------------------------------------
    def train(self, training_data: TrainingData) -> Resource:
        from sklearn.linear_model import LogisticRegression

        examples = [e for e in training_data.intent_examples if e.get(INTENT) and e.get(TEXT)]
        if not examples:
            logger.debug("no intent examples: the topic classifier is left untrained")
            return self._resource
        progress.report(f"fitting the topic classifier on {len(examples):,} examples")
        dense, sparse = self._raw(examples)
        self.n_dense = next((x.shape[1] for x in dense if x is not None), 0)
        if any(x is not None for x in sparse):
            width = max(x.shape[1] for x in sparse if x is not None)
            df = np.zeros(width)
            for x in sparse:
                if x is not None:
                    df[x.indices] += 1
            self.idf = (np.log((1 + len(examples)) / (1 + df)) + 1.0).astype(np.float32)
        X = self._features(examples)
        y = [e.get(INTENT) for e in examples]
        clf = LogisticRegression(
            C=self.config["C"], max_iter=self.config["max_iter"], class_weight="balanced"
        )
        clf.fit(X, y)
        self.classes = [str(c) for c in clf.classes_]
        coef = clf.coef_ if len(self.classes) > 2 else np.vstack([-clf.coef_, clf.coef_])
        intercept = (
            clf.intercept_
            if len(self.classes) > 2
            else np.array([-clf.intercept_[0], clf.intercept_[0]])
        )
        # C order: scipy multiplies a sparse row with a C-ordered matrix without copying it
        self.coef = np.ascontiguousarray(coef.T, dtype=np.float32)
        self.intercept = intercept.astype(np.float32)
        self.persist()
        return self._resource

    def persist(self) -> None:
        with self._model_storage.write_to(self._resource) as model_dir:
            if self.coef is None or self.intercept is None:
                raise RuntimeError("the topic classifier has nothing to persist before training")
            arrays = {"coef": self.coef, "intercept": self.intercept}
            if self.idf is not None:
                arrays["idf"] = self.idf
            np.savez(model_dir / "topic_classifier.npz", **arrays)
            (model_dir / "topic_classifier.json").write_text(
                json.dumps({"classes": self.classes, "n_dense": self.n_dense}), encoding="utf-8"
            )

    @classmethod
    def load(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> TopicClassifier:
        component = cls(config, model_storage, resource)
        try:
            with model_storage.read_from(resource) as model_dir:
                meta = json.loads((model_dir / "topic_classifier.json").read_text(encoding="utf-8"))
                with np.load(model_dir / "topic_classifier.npz") as data:
                    component.coef = np.ascontiguousarray(data["coef"], dtype=np.float32)
                    component.intercept = data["intercept"]
                    component.idf = data["idf"] if "idf" in data.files else None
            component.classes = meta["classes"]
            component.n_dense = meta["n_dense"]
        except (ValueError, FileNotFoundError, KeyError):
            logger.debug("topic classifier not trained yet; it will predict nothing")
        return component

    # -- prediction -------------------------------------------------------------------------
    def process(self, messages: list[Message]) -> list[Message]:
        if self.coef is None or not messages:
            return messages
        scores = self._scores(messages)
        scores -= scores.max(axis=1, keepdims=True)
        probs = np.exp(scores)
        probs /= probs.sum(axis=1, keepdims=True)
        for message, row in zip(messages, probs, strict=True):
            order = np.argsort(-row)[: self.config["ranking_length"]]
            ranking = [{"name": self.classes[i], "confidence": float(row[i])} for i in order]
            message.set(INTENT, ranking[0], add_to_output=True)
            message.set("intent_ranking", ranking, add_to_output=True)
        return messages

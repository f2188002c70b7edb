"""The runtime classifier: a linear model over TF-IDF features, numpy only.

Trained by `fadaa nlu-train` (scikit-learn, a development dependency) and shipped as
`model.npz`, so starting the bot needs neither training nor scikit-learn.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from functools import cached_property
from itertools import repeat
from pathlib import Path
from typing import Any

import numpy as np

MODEL_PATH = Path(__file__).parent / "model.npz"


@dataclass(frozen=True)
class Head:
    """One prediction task over the shared features (intent, or language)."""

    labels: tuple[str, ...]
    weights: np.ndarray  # features × labels
    bias: np.ndarray
    temperature: float

    def probabilities(self, indices: np.ndarray, values: np.ndarray) -> np.ndarray:
        scores = values @ self.weights[indices] if len(indices) else 0.0
        return self.softmax(scores)

    def softmax(self, scores: np.ndarray | float) -> np.ndarray:
        """Probabilities from the feature scores (values @ weights) of this head."""
        logits = (self.bias + scores) / self.temperature
        exp = np.exp(logits - logits.max())
        probabilities: np.ndarray = exp / exp.sum()
        return probabilities


@dataclass(frozen=True)
class LinearModel:
    vocabulary: dict[str, int]
    idf: np.ndarray
    intent: Head
    language: Head
    training_digest: str

    def vectorize(self, grams: Counter[str]) -> tuple[np.ndarray, np.ndarray]:
        """Sublinear TF × IDF, L2-normalised: the same weighting the trainer used.

        Lookups go through map() and the arithmetic through numpy: a long message has
        hundreds of grams, and a Python loop over them took half the time per message.
        """
        found = np.fromiter(
            map(self.vocabulary.get, grams, repeat(-1)), dtype=np.int64, count=len(grams)
        )
        known = found >= 0
        indices = found[known]
        if not len(indices):
            return indices, np.zeros(0, dtype=np.float32)
        counts = np.fromiter(grams.values(), dtype=np.float32, count=len(grams))[known]
        values = (1.0 + np.log(counts)) * self.idf[indices]
        return indices, values / np.linalg.norm(values)

    def predict(self, indices: np.ndarray, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Intent and language probabilities, with one gather of both heads' weights."""
        if not len(indices):
            return self.intent.softmax(0.0), self.language.softmax(0.0)
        scores = values @ self._both_weights[indices]
        split = len(self.intent.labels)
        return self.intent.softmax(scores[:split]), self.language.softmax(scores[split:])

    @cached_property
    def _both_weights(self) -> np.ndarray:
        return np.ascontiguousarray(np.hstack([self.intent.weights, self.language.weights]))

    def save(self, path: Path = MODEL_PATH) -> None:
        np.savez_compressed(
            path,
            vocabulary=np.array(sorted(self.vocabulary, key=self.vocabulary.__getitem__)),
            idf=self.idf,
            training_digest=np.array(self.training_digest),
            **_head_arrays("intent", self.intent),
            **_head_arrays("language", self.language),
        )

    @classmethod
    def load(cls, path: Path = MODEL_PATH) -> LinearModel:
        with np.load(path) as data:
            words = data["vocabulary"].tolist()
            return cls(
                vocabulary={w: i for i, w in enumerate(words)},
                idf=data["idf"],
                intent=_head_from(data, "intent"),
                language=_head_from(data, "language"),
                training_digest=str(data["training_digest"]),
            )


def _head_arrays(name: str, head: Head) -> dict[str, Any]:
    return {
        f"{name}_labels": np.array(head.labels),
        f"{name}_weights": head.weights.astype(np.float32),
        f"{name}_bias": head.bias.astype(np.float32),
        f"{name}_temperature": np.array(head.temperature),
    }


def _head_from(data: np.lib.npyio.NpzFile, name: str) -> Head:
    return Head(
        labels=tuple(data[f"{name}_labels"].tolist()),
        weights=data[f"{name}_weights"],
        bias=data[f"{name}_bias"],
        temperature=float(data[f"{name}_temperature"]),
    )

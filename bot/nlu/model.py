"""The runtime classifier: a linear model over TF-IDF features, numpy only.

Trained by `fadaa nlu-train` (scikit-learn, a development dependency) and shipped as
`model.npz`, so starting the bot needs neither training nor scikit-learn.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import numpy as np

MODEL_PATH = Path(__file__).parent / "model.npz"


@dataclass(frozen=True)
class Head:
    """One prediction task over the shared features (intent, or language)."""

    labels: tuple[str, ...]
    weights: np.ndarray  # features × labels
    bias: np.ndarray
    temperature: float

    def probabilities(self, indices: list[int], values: np.ndarray) -> np.ndarray:
        logits = self.bias + values @ self.weights[indices] if indices else self.bias.copy()
        logits = logits / self.temperature
        exp = np.exp(logits - logits.max())
        return exp / exp.sum()


@dataclass(frozen=True)
class LinearModel:
    vocabulary: dict[str, int]
    idf: np.ndarray
    intent: Head
    language: Head
    training_digest: str

    def vectorize(self, grams: Counter[str]) -> tuple[list[int], np.ndarray]:
        """Sublinear TF × IDF, L2-normalised: the same weighting the trainer used."""
        pairs = [(self.vocabulary[g], c) for g, c in grams.items() if g in self.vocabulary]
        if not pairs:
            return [], np.zeros(0, dtype=np.float32)
        indices = [j for j, _ in pairs]
        tf = np.array([1.0 + math.log(c) for _, c in pairs], dtype=np.float32)
        values = tf * self.idf[indices]
        return indices, values / np.linalg.norm(values)

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


def _head_arrays(name: str, head: Head) -> dict[str, np.ndarray]:
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

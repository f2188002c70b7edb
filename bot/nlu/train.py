"""Training the shipped model from the phrases in bot/nlu/training/ (needs scikit-learn).

Install the development extras (`pip install -e ".[dev]"`) to use it.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import yaml

from bot.nlu.features import features
from bot.nlu.model import Head, LinearModel
from bot.nlu.normalize import normalize, script_of

TRAINING_DIR = Path(__file__).parent / "training"
REGULARISATION = 20.0
FOLDS = 5


@dataclass(frozen=True)
class Example:
    text: str
    intent: str
    language: str
    script: str


def load_examples(directory: Path = TRAINING_DIR) -> list[Example]:
    """Every phrase file (YAML by language) and labelled message file (JSONL)."""
    examples: list[Example] = []
    for path in sorted(directory.glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        for intent, phrases in data["intents"].items():
            examples += [Example(str(p), intent, data["lang"], data["script"]) for p in phrases]
    for path in sorted(directory.glob("*.jsonl")):
        examples += read_jsonl(path)
    return examples


def read_jsonl(path: Path) -> list[Example]:
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
    return [
        Example(r["text"], r["intent"], r["lang"], r.get("script") or script_of(r["text"]))
        for r in rows
    ]


def without(examples: Iterable[Example], excluded: Iterable[Example]) -> list[Example]:
    """Drop every example whose normalised text appears in `excluded`."""
    banned = {normalize(e.text) for e in excluded}
    return [e for e in examples if normalize(e.text) not in banned]


def digest(examples: Sequence[Example]) -> str:
    payload = json.dumps([(e.text, e.intent, e.language) for e in examples], ensure_ascii=False)
    return hashlib.sha256(payload.encode()).hexdigest()[:16]


def train(examples: Sequence[Example]) -> LinearModel:
    from sklearn.feature_extraction.text import TfidfVectorizer

    vectorizer = TfidfVectorizer(
        analyzer=lambda text: list(features(text).elements()),
        sublinear_tf=True, min_df=2, dtype=np.float32,
    )
    matrix = vectorizer.fit_transform([e.text for e in examples])
    return LinearModel(
        vocabulary={g: int(i) for g, i in vectorizer.vocabulary_.items()},
        idf=vectorizer.idf_.astype(np.float32),
        intent=_fit_head(matrix, [e.intent for e in examples]),
        language=_fit_head(matrix, [e.language for e in examples]),
        training_digest=digest(examples),
    )


def _fit_head(matrix: object, labels: list[str]) -> Head:
    from sklearn.linear_model import LogisticRegression

    model = LogisticRegression(C=REGULARISATION, max_iter=2000)
    model.fit(matrix, labels)
    return Head(
        labels=tuple(model.classes_.tolist()),
        weights=_per_class(model.coef_).T.astype(np.float32).copy(),
        bias=_per_class(model.intercept_).astype(np.float32),
        temperature=_temperature(matrix, labels),
    )


def _per_class(scores: np.ndarray) -> np.ndarray:
    """Two-class models give one score z; softmax over (-z/2, z/2) is the same sigmoid."""
    if scores.shape[0] > 1:
        return scores
    return np.concatenate([-scores / 2, scores / 2], axis=0)


def _temperature(matrix: object, labels: list[str]) -> float:
    """The softmax temperature that makes out-of-fold probabilities honest (lowest NLL)."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import cross_val_predict

    model = LogisticRegression(C=REGULARISATION, max_iter=2000)
    logits = cross_val_predict(model, matrix, labels, cv=FOLDS, method="decision_function")
    if logits.ndim == 1:
        logits = np.column_stack([-logits / 2, logits / 2])
    classes = sorted(set(labels))
    truth = np.array([classes.index(label) for label in labels])
    best, best_loss = 1.0, float("inf")
    for temperature in np.linspace(0.2, 3.0, 57):
        scaled = logits / temperature
        scaled -= scaled.max(axis=1, keepdims=True)
        log_probs = scaled - np.log(np.exp(scaled).sum(axis=1, keepdims=True))
        loss = -log_probs[np.arange(len(truth)), truth].mean()
        if loss < best_loss:
            best, best_loss = float(temperature), loss
    return best

"""Training the shipped model from the phrases in bot/nlu/training/ (needs scikit-learn).

Install the development extras (`pip install -e ".[dev]"`) to use it.
"""

from __future__ import annotations

import hashlib
import json
import random
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from bot.nlu.features import features
from bot.nlu.model import Head, LinearModel
from bot.nlu.normalize import normalize, script_of

TRAINING_DIR = Path(__file__).parent / "training"
REGULARISATION = 20.0
FOLDS = 5
# Lexicon words are grouped into short pseudo-messages of up to this many words: chat
# messages are short, and a group teaches which words go together less than single
# words would, so words seen in no real message do not get extreme weights.
LEXICON_GROUP = 3
# Language-only texts of one language and script together weigh this much relative to the
# phrases of that language and script. The lexicon is enough to learn Darija's verbs and
# particles, but some of its words are also MSA: at full weight it took ~7 % of MSA
# sentences for Darija, at 0.4 it missed more real Darija; 0.7 holds both above 96 %.
LEXICON_WEIGHT = 0.7
SENTENCES_WEIGHT = 1.0
# The language head sees thousands of lexicon words that occur once: a stronger prior
# than the intent head's keeps any one of them from deciding a message alone.
LANGUAGE_REGULARISATION = 5.0


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


def language_sentences(directory: Path = TRAINING_DIR) -> list[Example]:
    """Sentences that teach language id only (no intent): `langid_<lang>.txt` files."""
    examples: list[Example] = []
    for path in sorted(directory.glob("langid_*.txt")):
        language = path.stem.removeprefix("langid_")
        lines = path.read_text(encoding="utf-8").splitlines()
        examples += [
            Example(line, "", language, script_of(line))
            for line in lines
            if line.strip() and not line.startswith("#")
        ]
    return examples


def lexicon_examples(directory: Path = TRAINING_DIR) -> list[Example]:
    """The DODa lexicon as Darija pseudo-messages of 1 to LEXICON_GROUP words per script."""
    from bot.nlu.doda import read_lexicon

    words = read_lexicon(directory / "darija_lexicon.txt")
    examples: list[Example] = []
    for script in ("arab", "latn"):
        group = [w for w in words if script_of(w) == script]
        random.Random(script).shuffle(group)
        sizes = random.Random(len(group))
        start = 0
        while start < len(group):
            size = sizes.randint(1, LEXICON_GROUP)
            examples.append(Example(" ".join(group[start : start + size]), "", "ary", script))
            start += size
    return examples


def without(examples: Iterable[Example], excluded: Iterable[Example]) -> list[Example]:
    """Drop every example whose normalised text appears in `excluded`."""
    banned = {normalize(e.text) for e in excluded}
    return [e for e in examples if normalize(e.text) not in banned]


def training_digest() -> str:
    """The digest of everything `fadaa nlu-train` reads, as stored in the shipped model."""
    return digest([*load_examples(), *language_sentences(), *lexicon_examples()])


def digest(examples: Sequence[Example]) -> str:
    payload = json.dumps([(e.text, e.intent, e.language) for e in examples], ensure_ascii=False)
    return hashlib.sha256(payload.encode()).hexdigest()[:16]


def train(
    examples: Sequence[Example],
    sentences: Sequence[Example] | None = None,
    lexicon: Sequence[Example] | None = None,
) -> LinearModel:
    """Intent on the labelled phrases; language on them plus the language-only texts."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    sentences = language_sentences() if sentences is None else list(sentences)
    lexicon = lexicon_examples() if lexicon is None else list(lexicon)
    extra = [*sentences, *lexicon]
    vectorizer = TfidfVectorizer(
        analyzer=lambda text: list(features(text).elements()),
        sublinear_tf=True,
        min_df=2,
        dtype=np.float32,
    )
    matrix = vectorizer.fit_transform([e.text for e in [*examples, *extra]])
    phrases = matrix[: len(examples)]
    return LinearModel(
        vocabulary={g: int(i) for g, i in vectorizer.vocabulary_.items()},
        idf=vectorizer.idf_.astype(np.float32),
        intent=_fit_intent_head(phrases, [e.intent for e in examples]),
        language=_fit_head(
            matrix,
            [e.language for e in [*examples, *extra]],
            np.concatenate(
                [
                    np.ones(len(examples)),
                    _shares(examples, sentences, SENTENCES_WEIGHT),
                    _shares(examples, lexicon, LEXICON_WEIGHT),
                ]
            ),
            regularisation=LANGUAGE_REGULARISATION,
        ),
        training_digest=digest([*examples, *extra]),
    )


def _fit_intent_head(phrases: Any, intents: list[str]) -> Head:
    """The intent head on the features the phrases use; the lexicon's other features get
    zero weight (they carry no intent), and the fit stays as fast as without them."""
    used = np.flatnonzero(phrases.getnnz(axis=0))
    head = _fit_head(phrases[:, used], intents)
    weights = np.zeros((phrases.shape[1], len(head.labels)), dtype=np.float32)
    weights[used] = head.weights
    return Head(head.labels, weights, head.bias, head.temperature)


def _shares(examples: Sequence[Example], texts: Sequence[Example], weight: float) -> np.ndarray:
    """Each text's weight: the texts of a (language, script) together weigh `weight` × the
    number of phrases of that language and script (each phrase weighs 1)."""
    phrases = Counter((e.language, e.script) for e in examples)
    counts = Counter((e.language, e.script) for e in texts)
    return np.array(
        [
            weight * max(phrases[(e.language, e.script)], 1) / counts[(e.language, e.script)]
            for e in texts
        ]
    )


def _fit_head(
    matrix: object,
    labels: list[str],
    weights: np.ndarray | None = None,
    *,
    regularisation: float = REGULARISATION,
) -> Head:
    from sklearn.linear_model import LogisticRegression

    model = LogisticRegression(C=regularisation, max_iter=2000)
    model.fit(matrix, labels, sample_weight=weights)
    return Head(
        labels=tuple(model.classes_.tolist()),
        weights=_per_class(model.coef_).T.astype(np.float32).copy(),
        bias=_per_class(model.intercept_).astype(np.float32),
        temperature=_temperature(matrix, labels, regularisation),
    )


def _per_class(scores: np.ndarray) -> np.ndarray:
    """Two-class models give one score z; softmax over (-z/2, z/2) is the same sigmoid."""
    if scores.shape[0] > 1:
        return scores
    return np.concatenate([-scores / 2, scores / 2], axis=0)


def _temperature(matrix: object, labels: list[str], regularisation: float) -> float:
    """The softmax temperature that makes out-of-fold probabilities honest (lowest NLL)."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import cross_val_predict

    model = LogisticRegression(C=regularisation, max_iter=2000)
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

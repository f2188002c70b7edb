"""`fadaa nlu-eval`: accuracy, macro-F1, confusions, language id and latency on a JSONL file."""

from __future__ import annotations

import json
import statistics
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from bot.nlu import Understander, Understanding
from bot.nlu.model import LinearModel
from bot.nlu.train import Example, load_examples, read_jsonl, train, without


@dataclass(frozen=True)
class Outcome:
    example: Example
    understanding: Understanding
    seconds: float

    @property
    def group(self) -> str:
        return (
            self.example.language
            if self.example.language != "ary"
            else (f"ary-{self.example.script}")
        )

    @property
    def correct(self) -> bool:
        return self.understanding.intent == self.example.intent

    @property
    def language_correct(self) -> bool:
        return (self.understanding.language, self.understanding.script) == (
            self.example.language,
            self.example.script,
        )


def evaluate(path: Path, *, exclude_from_training: bool = False) -> list[Outcome]:
    examples = read_jsonl(path)
    if exclude_from_training:
        model = train(without(load_examples(), examples))
    else:
        model = LinearModel.load()
    understander = Understander(model)
    outcomes = []
    for example in examples:
        started = time.perf_counter()
        understanding = understander(example.text)
        outcomes.append(Outcome(example, understanding, time.perf_counter() - started))
    return outcomes


def report(outcomes: list[Outcome]) -> str:
    lines = [f"messages: {len(outcomes)}", f"intent accuracy: {_accuracy(outcomes):.1%}"]
    for group in sorted({o.group for o in outcomes}):
        subset = [o for o in outcomes if o.group == group]
        lines.append(f"  {group:9} {_accuracy(subset):.1%} ({len(subset)})")
    scores = _f1_by_intent(outcomes)
    lines.append(f"macro-F1: {statistics.mean(scores.values()):.3f}")
    worst = sorted(scores.items(), key=lambda item: item[1])[:6]
    lines.append("worst intents (F1): " + ", ".join(f"{i} {f:.2f}" for i, f in worst))
    confused = Counter(
        (o.example.intent, o.understanding.intent) for o in outcomes if not o.correct
    ).most_common(8)
    lines.append(
        "most confused (truth -> predicted): "
        + ", ".join(f"{truth}->{guess} ×{count}" for (truth, guess), count in confused)
    )
    language_accuracy = sum(o.language_correct for o in outcomes) / len(outcomes)
    lines.append(f"language id accuracy: {language_accuracy:.1%}")
    latencies = sorted(o.seconds * 1000 for o in outcomes)
    lines.append(
        f"latency per message: p50 {_percentile(latencies, 50):.3f} ms, "
        f"p95 {_percentile(latencies, 95):.3f} ms"
    )
    return "\n".join(lines)


def _accuracy(outcomes: list[Outcome]) -> float:
    return sum(o.correct for o in outcomes) / len(outcomes) if outcomes else 0.0


def _f1_by_intent(outcomes: list[Outcome]) -> dict[str, float]:
    scores = {}
    for intent in {o.example.intent for o in outcomes}:
        hits = sum(o.correct and o.example.intent == intent for o in outcomes)
        predicted = sum(o.understanding.intent == intent for o in outcomes)
        actual = sum(o.example.intent == intent for o in outcomes)
        precision = hits / predicted if predicted else 0.0
        recall = hits / actual if actual else 0.0
        scores[intent] = 2 * precision * recall / (precision + recall) if hits else 0.0
    return scores


def _percentile(sorted_values: list[float], percent: int) -> float:
    index = min(len(sorted_values) - 1, round(percent / 100 * (len(sorted_values) - 1)))
    return sorted_values[index]


@dataclass(frozen=True)
class LanguageOutcome:
    text: str
    expected: tuple[str, str]
    found: tuple[str | None, str]


def evaluate_language(path: Path, model: LinearModel | None = None) -> list[LanguageOutcome]:
    """Language and script id on a JSONL file of {"text", "lang", "script"} rows.

    Rows need no intent, so check sets of plain sentences (DODa's ongoing/, the MSA and
    French sets) are measured the same way as labelled messages.
    """
    understander = Understander(model or LinearModel.load())
    outcomes = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        row = json.loads(line)
        result = understander(row["text"])
        outcomes.append(
            LanguageOutcome(
                row["text"], (row["lang"], row["script"]), (result.language, result.script)
            )
        )
    return outcomes


def language_report(outcomes: list[LanguageOutcome], *, examples: int = 5) -> str:
    lines = [f"messages: {len(outcomes)}"]
    for expected in sorted({o.expected for o in outcomes}):
        subset = [o for o in outcomes if o.expected == expected]
        right = sum(o.found == o.expected for o in subset)
        found = Counter(f"{o.found[0]}-{o.found[1]}" for o in subset if o.found != expected)
        wrong = ", ".join(f"{k} ×{n}" for k, n in found.most_common())
        lines.append(
            f"  {'-'.join(expected):9} {right / len(subset):.1%} ({len(subset)})"
            + (f"  taken for: {wrong}" if wrong else "")
        )
        lines += [f"    {o.text}" for o in subset if o.found != o.expected][:examples]
    return "\n".join(lines)

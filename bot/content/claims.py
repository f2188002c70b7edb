"""The fact sheet's "must not claim" rules (forbidden_claims.yaml), checked on every write."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

from bot.content import ContentError, Item
from bot.nlu.normalize import fold

RULES_FILE = Path(__file__).parent / "forbidden_claims.yaml"
ANY_LANGUAGE = "any"
# how far before a match a negation still belongs to its clause
NEGATION_REACH = 40
_CLAUSE_END = re.compile(r"[.:;!?\n]")


@dataclass(frozen=True)
class Rule:
    id: str
    claim: str
    patterns: Mapping[str, tuple[re.Pattern[str], ...]]
    examples: Mapping[str, tuple[str, ...]]
    negation: Mapping[str, re.Pattern[str]]

    def made_by(self, text: str, language: str) -> bool:
        return self.made_by_folded(fold(text), language)

    def made_by_folded(self, folded: str, language: str) -> bool:
        """The same on a text already folded (bot.nlu.normalize.fold)."""
        patterns = (*self.patterns.get(language, ()), *self.patterns.get(ANY_LANGUAGE, ()))
        return any(
            not self._negated(folded[: match.start()], language)
            for pattern in patterns
            for match in pattern.finditer(folded)
        )

    def _negated(self, before: str, language: str) -> bool:
        """The match's own clause says "not" just before it."""
        negation = self.negation.get(language)
        clause = _CLAUSE_END.split(before[-NEGATION_REACH:])[-1]
        return negation is not None and negation.search(clause) is not None


class ForbiddenClaim(ContentError):
    """A text makes a claim the fact sheet forbids; names the field, the rule and the language."""

    def __init__(self, where: str, field: str, rule: Rule, language: str) -> None:
        super().__init__(
            f"{where}{field} makes a claim the fact sheet forbids (rule {rule.id}, "
            f"language {language}): {rule.claim}",
            field=field,
        )
        self.rule, self.language = rule.id, language


@cache
def rules(path: Path = RULES_FILE) -> tuple[Rule, ...]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    negations = {
        language: re.compile(fold(pattern), re.IGNORECASE)
        for language, pattern in data["negations"].items()
    }
    return tuple(
        Rule(
            id=rule_id,
            claim=raw["claim"],
            patterns={
                language: tuple(re.compile(fold(p), re.IGNORECASE) for p in patterns)
                for language, patterns in raw["patterns"].items()
            },
            examples={lang: tuple(texts) for lang, texts in (raw.get("examples") or {}).items()},
            negation=negations if raw.get("negatable") else {},
        )
        for rule_id, raw in data["rules"].items()
    )


def broken_rule(text: str, language: str) -> Rule | None:
    """The first rule the text breaks in that language, or None."""
    folded = fold(text)
    return next((rule for rule in rules() if rule.made_by_folded(folded, language)), None)


def check_texts(texts: Mapping[str, str], *, field: str, where: str = "") -> None:
    """Raise ForbiddenClaim for the first text (by language) that breaks a rule."""
    for language, text in texts.items():
        rule = broken_rule(text, language)
        if rule is not None:
            raise ForbiddenClaim(where, f"{field}.{language}", rule, language)


def check_item(item: Item) -> None:
    """Every text of a content item: title, text and reminder, in each language."""
    where = f"{item.file}: item {item.id}: "
    for field, texts in (("title", item.title), ("text", item.text), ("reminder", item.reminder)):
        check_texts(texts, field=field, where=where)

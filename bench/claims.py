"""What checking the fact rules costs at write time (figures only).

python -m bench.claims
"""

from __future__ import annotations

import time

from bot.content import default_content
from bot.content.claims import check_item, rules


def main() -> None:
    items = list(default_content().items.values())
    texts = sum(len(i.title) + len(i.text) + len(i.reminder) for i in items)
    rules()  # compiled once per process
    rounds = 20
    started = time.perf_counter()
    for _ in range(rounds):
        for item in items:
            check_item(item)
    seconds = (time.perf_counter() - started) / rounds
    patterns = sum(len(p) for rule in rules() for p in rule.patterns.values())
    print(f"rules: {len(rules())}, patterns: {patterns}")
    print(f"whole content: {len(items)} items, {texts} texts in {seconds * 1000:.1f} ms")
    print(f"one item (an API write): {seconds / len(items) * 1000:.2f} ms")


if __name__ == "__main__":
    main()

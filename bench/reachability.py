"""How many content items typed questions reach, per language and script (figures only).

python -m bench.reachability [--misses]
"""

from __future__ import annotations

import sys
import time
from collections import Counter

from tests.test_reachability import ENOUGH, PHRASINGS, SLICES, reached


def main() -> None:
    show_misses = "--misses" in sys.argv
    started = time.perf_counter()
    items_ok: Counter[str] = Counter()
    phrasings_ok: Counter[str] = Counter()
    for item_id in sorted(PHRASINGS):
        for language in SLICES:
            found = reached(item_id, language)
            phrasings_ok[language] += len(found)
            items_ok[language] += len(found) >= ENOUGH
            if show_misses:
                for text in PHRASINGS[item_id][language]:
                    if text not in found:
                        print(f"  miss {item_id} [{language}]: {text}")
    total = len(PHRASINGS)
    for language in SLICES:
        count = sum(len(PHRASINGS[i][language]) for i in PHRASINGS)
        print(
            f"{language:9} items reached (≥{ENOUGH}/3 phrasings): {items_ok[language]}/{total}"
            f"   phrasings: {phrasings_ok[language]}/{count}"
        )
    print(f"{time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    main()

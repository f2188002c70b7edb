"""Data derived from the Darija Open Dataset (DODa), built from a local git copy of it.

DODa (github.com/darija-open-dataset/dataset, MIT licence) lists Darija words in Latin
"Arabizi" spelling with their Arabic-script form. Two things are derived from it:

* the Darija lexicon (`training/darija_lexicon.txt`): words of its lexicon folders that
  the project's own MSA and French phrases never use, so that language id learns Darija
  verbs, particles and loanwords rather than words all three languages share;
* the language-id check set (`tests/data/doda_ongoing_langid.jsonl`): sentences of its
  `ongoing/` folder, everyday Darija in Arabizi with an Arabic-script spelling of each
  (written letter by letter from the Arabizi, long vowels included: هاقد for ha9d). That
  folder never feeds training, so it stays an independent measure.

Run through `fadaa nlu-doda GIT_DIR`; nothing here is used at run time.
"""

from __future__ import annotations

import csv
import io
import json
import random
import subprocess
from collections.abc import Iterable, Iterator
from pathlib import Path

from bot.nlu.normalize import normalize, script_of

LEXICON_PATH = Path(__file__).parent / "training" / "darija_lexicon.txt"
CHECK_PATH = Path(__file__).parents[2] / "tests" / "data" / "doda_ongoing_langid.jsonl"
# Lexicon folders only: `ongoing/` is the independent check, `sentences/` is not stored.
# The semantic categories (animals, food, economy…) and the noun list are left out: their
# Arabic-script words are mostly MSA words too (استثمار، قهوة), which would pull MSA
# messages towards Darija. Verbs, particles, pronouns and idioms are what differ.
LEXICON_FOLDERS = ("syntactic categories/", "x-tra/")
SKIPPED = ("nouns.csv",)
# shorts.csv holds ~57k conjugated forms; one row in this many keeps every verb pattern
# (ka-/ta-/gha- prefixes, -ch negation) while the committed list stays small. Only its
# Arabic-script column is kept: Latin Darija is already told from French by the other
# files and by Arabizi digits, while Arabic-script Darija is the one taken for MSA.
SHORTS_STRIDE = 4
SHORTS_COLUMNS = ("darija_ar",)
# Latin entries are mostly spelling variants of one another (dkhel, dkhl, d5el); one in
# this many, in sorted order, keeps the words and halves the file.
LATIN_STRIDE = 2
CHECK_SENTENCES = 1000
HEADER = """\
# Darija words in Latin (Arabizi) and Arabic script, one per line, for language id.
# Derived from the Darija Open Dataset (DODa), https://github.com/darija-open-dataset/dataset,
# lexicon folders only (not ongoing/), MIT licence, (c) the DODa contributors.
# Words the project's MSA or French phrases also use were removed. Rebuild:
# fadaa nlu-doda GIT_DIR
"""


def _git_files(git_dir: Path) -> list[str]:
    listing = subprocess.run(
        ["git", f"--git-dir={git_dir}", "ls-tree", "-r", "--name-only", "HEAD"],
        check=True,
        capture_output=True,
        text=True,
    )
    return listing.stdout.splitlines()


def _rows(git_dir: Path, path: str) -> list[dict[str, str]]:
    shown = subprocess.run(
        ["git", f"--git-dir={git_dir}", "show", f"HEAD:{path}"],
        check=True,
        capture_output=True,
        text=True,
    )
    return list(csv.DictReader(io.StringIO(shown.stdout)))


def lexicon_entries(git_dir: Path) -> Iterator[str]:
    """Every Darija spelling in the lexicon folders (English glosses are left out)."""
    for path in _git_files(git_dir):
        if not path.startswith(LEXICON_FOLDERS) or not path.endswith(".csv"):
            continue
        if path.endswith(SKIPPED):
            continue
        rows = _rows(git_dir, path)
        if path.endswith("shorts.csv"):
            rows = [{c: row.get(c, "") for c in SHORTS_COLUMNS} for row in rows[::SHORTS_STRIDE]]
        for row in rows:
            for column, value in row.items():
                if column and value and not column.lower().startswith(("eng", "english")):
                    yield value.strip()


def build_lexicon(git_dir: Path, shared_words: set[str]) -> list[str]:
    """Distinct normalised entries that are not words of the MSA or French phrases."""
    kept: dict[str, None] = {}
    for entry in lexicon_entries(git_dir):
        form = normalize(entry)
        if not form or len(form) < 2 or form.isdigit():
            continue
        if all(word in shared_words for word in form.split()):
            continue
        kept[form] = None
    arabic = [w for w in sorted(kept) if script_of(w) == "arab"]
    latin = [w for w in sorted(kept) if script_of(w) == "latn"][::LATIN_STRIDE]
    return sorted(arabic + latin)


def check_rows(git_dir: Path, count: int = CHECK_SENTENCES) -> list[dict[str, str]]:
    """`count` distinct ongoing/ sentences of two words or more, each in both scripts."""
    pairs: dict[str, str] = {}
    for path in _git_files(git_dir):
        if path.startswith("ongoing/") and path.endswith(".csv"):
            for row in _rows(git_dir, path):
                latin, arabic = (
                    (row.get("darija") or "").strip(),
                    (row.get("darija_ar") or "").strip(),
                )
                if len(latin.split()) >= 2 and arabic and script_of(arabic) == "arab":
                    pairs.setdefault(latin, arabic)
    chosen = random.Random(0).sample(sorted(pairs), min(count, len(pairs)))
    rows = []
    for latin in chosen:
        rows.append({"text": latin, "lang": "ary", "script": "latn"})
        rows.append({"text": pairs[latin], "lang": "ary", "script": "arab"})
    return rows


def words_of(texts: Iterable[str]) -> set[str]:
    return {word for text in texts for word in normalize(text).split()}


def write_lexicon(words: list[str], path: Path = LEXICON_PATH) -> None:
    path.write_text(HEADER + "".join(f"{w}\n" for w in words), encoding="utf-8")


def write_check(rows: list[dict[str, str]], path: Path = CHECK_PATH) -> None:
    path.write_text(
        "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8"
    )


def read_lexicon(path: Path = LEXICON_PATH) -> list[str]:
    if not path.exists():
        return []
    lines = path.read_text(encoding="utf-8").splitlines()
    return [line for line in lines if line and not line.startswith("#")]


def build(git_dir: Path) -> tuple[list[str], list[dict[str, str]]]:
    """Write the lexicon and the check set; MSA/French words come from the phrase files."""
    from bot.nlu.train import language_sentences, load_examples

    texts = [*load_examples(), *language_sentences()]
    shared = words_of(e.text for e in texts if e.language in ("ar", "fr"))
    lexicon, check = build_lexicon(git_dir, shared), check_rows(git_dir)
    write_lexicon(lexicon)
    write_check(check)
    return lexicon, check

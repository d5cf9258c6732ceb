"""Is this bøvl already on the list? Danish text compared without any service: both titles are
normalised (case folded, æ/ø/å kept, punctuation out, common Danish words out, simple endings
stripped), then compared by their words and by the letter triples of the words run together,
which also finds a compound written in two words ("dobbeltregistrering" and "dobbelt
registrering").

Pure functions: no database, no clock."""

from __future__ import annotations

import re
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

# The common Danish words that say nothing about what the bøvl is (Snowball's list, trimmed of
# the few that do: "ikke", "uden").
_STOP = """
    ad af alle alt anden at ved får blev blive bliver da de dem den denne der deres det dette dig din
    dine disse dit dog du efter eller en end er et for fordi fra få går ham han hans har havde
    have hele hende hendes her hos hun hvad hvis hvor hvordan i ind jeg jer jo kan kun kunne
    lidt man mange med meget men mig min mine mit mod må ned noget nogle nok nu når og også om
    op os over på sig sin sine sit skal skulle som så sådan thi til ud under var vi vil ville
    vor vores være været altid aldrig
"""
STOP_WORDS = frozenset(_STOP.split())
# Endings stripped, longest first, when at least MIN_STEM letters remain: plural and definite
# forms of nouns ("registreringerne", "journalen") meet their bare form.
SUFFIXES = ("erne", "ene", "ers", "er", "en", "et", "es", "e", "s")
MIN_STEM = 3
_WORD = re.compile(r"[^\W\d_]+|\d+")

THRESHOLD = 0.5  # below it, two titles are about different things (tests/unit/test_hassle_similar)
MOST = 3  # matches offered at most

K = TypeVar("K", bound=Hashable)


def stem(word: str) -> str:
    """Twice at most, so that "printeren" and "printer" both become "print"."""
    for _ in range(2):
        for suffix in SUFFIXES:
            if word.endswith(suffix) and len(word) - len(suffix) >= MIN_STEM:
                word = word[: -len(suffix)]
                break
        else:
            break
    return word


def normalise(text: str) -> list[str]:
    """The words that carry meaning, stemmed: "For mange dobbeltregistreringer i journalen" →
    ["dobbeltregistrering", "journal"]."""
    words = _WORD.findall(text.casefold())
    return [stem(w) for w in words if w not in STOP_WORDS]


def _trigrams(words: Sequence[str]) -> set[str]:
    joined = "".join(words)
    if len(joined) < 3:
        return {joined} if joined else set()
    return {joined[i : i + 3] for i in range(len(joined) - 2)}


def similarity(a: str, b: str) -> float:
    """0 (nothing in common) to 1 (the same words): the better of the words' overlap (Jaccard,
    weighed by length) and the letter triples' overlap (Dice) of the words run together."""
    words_a, words_b = normalise(a), normalise(b)
    if not words_a or not words_b:
        return 0.0
    set_a, set_b = set(words_a), set(words_b)
    # Each word weighs its length: "vagtplan" says more than "sent" or "komm".
    jaccard = sum(map(len, set_a & set_b)) / sum(map(len, set_a | set_b))
    tri_a, tri_b = _trigrams(words_a), _trigrams(words_b)
    dice = 2 * len(tri_a & tri_b) / (len(tri_a) + len(tri_b))
    return max(jaccard, dice)


@dataclass(frozen=True)
class Match(Generic[K]):
    key: K
    score: float


def most_similar(
    text: str, candidates: Iterable[tuple[K, str]], *, most: int = MOST
) -> list[Match[K]]:
    """The candidates (key, text) at least THRESHOLD alike to `text`, best first, at most
    `most`, each key once (its best score)."""
    best: dict[K, float] = {}
    for key, other in candidates:
        score = similarity(text, other)
        if score >= THRESHOLD and score > best.get(key, 0.0):
            best[key] = score
    ranked = sorted(best.items(), key=lambda pair: -pair[1])
    return [Match(key, score) for key, score in ranked[:most]]

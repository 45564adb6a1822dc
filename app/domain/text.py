"""Text folding for search: accent- and case-insensitive, identical in Python and SQL."""

from __future__ import annotations

import unicodedata
from functools import cache

from anyascii import anyascii


@cache
def _latin_letter(char: str) -> str:
    """A Latin letter that decomposition leaves alone (ł, ø, đ, æ, œ, þ, ı, ŋ…) spelt in ASCII;
    anything else as it is. Greek, Cyrillic and the rest keep their own letters."""
    if char.isascii() or not char.isalpha() or "LATIN" not in unicodedata.name(char, ""):
        return char
    decomposed = unicodedata.normalize("NFKD", char)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return stripped if stripped.isascii() else anyascii(char)


def fold(text: str) -> str:
    """Lower-case, strip accents, spell Latin letters in ASCII and collapse white space:
    "Crème Brûlée" -> "creme brulee", "Łódź" -> "lodz", "Smørrebrød" -> "smorrebrod"."""
    if text.isascii():  # most names: nothing to decompose or spell out
        return " ".join(text.casefold().split())
    latin = "".join(map(_latin_letter, text))
    decomposed = unicodedata.normalize("NFKD", latin)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(stripped.casefold().split())


def searchable(name: str, sku: str) -> str:
    """What name search matches for an item: its folded name and SKU."""
    return fold(f"{name} {sku}")


def search_terms(query: str) -> list[str]:
    """The folded words of a search box entry, empty words and duplicates removed."""
    seen: list[str] = []
    for word in fold(query).split():
        word = "".join(c for c in word if c.isalnum() or c in "-_./")
        if any(c.isalnum() for c in word) and word not in seen:
            seen.append(word)
    return seen

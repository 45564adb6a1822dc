"""Unit and property tests for app.domain.text: accent- and case-insensitive search folding."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.domain.text import fold, search_terms

PROPERTY = settings(deadline=None, max_examples=200)


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("Crème Brûlée", "creme brulee"),
        ("ÅNGSTRÖM", "angstrom"),
        ("  Café \t au\n lait  ", "cafe au lait"),
        ("Straße", "strasse"),
        ("ﬁlet", "filet"),  # compatibility ligature
        ("Ｔｅａ", "tea"),  # full-width letters
        ("Ελληνικά", "ελληνικα"),
        # Letters NFKD leaves alone are spelt in ASCII.
        ("Łódź", "lodz"),
        ("Smørrebrød", "smorrebrod"),
        ("Đakovo", "dakovo"),
        ("Ærø", "aero"),
        ("Œuf", "oeuf"),
        ("Þórsmörk", "thorsmork"),
        ("Işık", "isik"),
        ("Fußball", "fussball"),
        ("Ŀlibre", "llibre"),
        ("", ""),
        ("   ", ""),
    ],
)
def test_fold_lowercases_strips_accents_and_collapses_white_space(text: str, folded: str) -> None:
    assert fold(text) == folded


def test_fold_treats_composed_and_decomposed_accents_alike() -> None:
    composed = "Crème"
    decomposed = unicodedata.normalize("NFD", composed)
    assert composed != decomposed
    assert fold(composed) == fold(decomposed) == "creme"


def test_search_terms_folds_and_deduplicates_in_order() -> None:
    assert search_terms("Crème crème BRÛLÉE creme") == ["creme", "brulee"]


def test_search_terms_drops_punctuation_only_words() -> None:
    assert search_terms("coffee , ! ??? beans") == ["coffee", "beans"]
    assert search_terms("coca - cola") == ["coca", "cola"]
    assert search_terms("... / -- _") == []


def test_search_terms_strips_punctuation_but_keeps_sku_characters() -> None:
    assert search_terms("(coffee), AB-12 v1.5 x_y a/b!") == [
        "coffee",
        "ab-12",
        "v1.5",
        "x_y",
        "a/b",
    ]


def test_search_terms_of_an_empty_query_is_empty() -> None:
    assert search_terms("") == []
    assert search_terms("   \t ") == []


@PROPERTY
@given(text=st.text(max_size=80))
def test_fold_is_idempotent_and_tidy(text: str) -> None:
    folded = fold(text)
    assert fold(folded) == folded
    assert folded == folded.strip()
    assert "  " not in folded
    assert not any(unicodedata.combining(c) for c in folded)


@PROPERTY
@given(text=st.text(alphabet=st.characters(codec="latin-1"), max_size=80))
def test_fold_ignores_case_and_accents_of_western_european_text(text: str) -> None:
    folded = fold(text)
    assert fold(text.upper()) == folded
    assert fold(text.lower()) == folded


LATIN_LETTERS = st.characters(
    categories=("Lu", "Ll", "Lt", "Lm", "Lo"),
    include_characters=" -'",
).filter(lambda c: c in " -'" or "LATIN" in unicodedata.name(c, ""))


@PROPERTY
@given(text=st.text(alphabet=LATIN_LETTERS, max_size=40))
def test_fold_spells_latin_text_in_ascii(text: str) -> None:
    folded = fold(text)
    assert folded.isascii(), folded
    assert fold(folded) == folded


def test_lodz_finds_lodz_whatever_the_spelling() -> None:
    assert search_terms("lodz") == search_terms("ŁÓDŹ") == search_terms("Łódź") == ["lodz"]


@PROPERTY
@given(query=st.text(max_size=80))
def test_search_terms_are_unique_non_empty_folded_words(query: str) -> None:
    terms = search_terms(query)
    assert len(terms) == len(set(terms))
    for term in terms:
        assert term
        assert any(c.isalnum() for c in term)
        assert all(c.isalnum() or c in "-_./" for c in term)
        assert fold(term) == term
    assert search_terms(" ".join(terms)) == terms

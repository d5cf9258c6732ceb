"""Look-alike bøvl in Danish: what colleagues write about the same thing in other words is found,
what is about something else is not, with no service to ask."""

from __future__ import annotations

import pytest

from handlers.hassle.similar import THRESHOLD, most_similar, normalise, similarity

SAME = [
    ("For mange dobbeltregistreringer i journalen", "dobbelt registrering i journal"),
    ("For mange dobbeltregistreringer i journalen", "Journalen kræver dobbelt registrering"),
    ("IT-systemet er langsomt", "Langsomme IT-systemer"),
    ("Vagtplanen kommer for sent", "Vagtplanerne bliver lagt for sent"),
    ("Printeren virker ikke", "Printeren på 2. sal virker ikke!"),
    ("Mangler tid til borgerne", "For lidt tid hos borgerne"),
    ("Nøglebokse virker ikke", "Nøgleboksene går i stykker"),
    ("Kørsel mellem borgere", "Kørselstiden mellem borgerne er for lang"),
]
DIFFERENT = [
    ("For mange dobbeltregistreringer i journalen", "For mange møder om budgettet"),
    ("For lidt tid til borgerne", "For mange møder om budgettet"),
    ("Vagtplanen kommer for sent", "Ventetid på visitation"),
    ("IT-systemet er langsomt", "For mange mails"),
    ("Mangler tid til borgerne", "Manglende parkering ved plejecentret"),
    ("Dokumentation tager for lang tid", "Dårlig kaffe i kantinen"),
    ("Uklare beslutninger fra ledelsen", "Uklar ansvarsfordeling"),
    ("Nøglebokse virker ikke", "Medicinlister er ikke opdateret"),
    ("Hjælpemidler kommer for sent", "Vagtplanen kommer for sent"),
]


@pytest.mark.parametrize(("a", "b"), SAME)
def test_the_same_bøvl_in_other_words_is_found(a: str, b: str) -> None:
    assert similarity(a, b) >= THRESHOLD, (normalise(a), normalise(b))
    assert similarity(b, a) == similarity(a, b)


@pytest.mark.parametrize(("a", "b"), DIFFERENT)
def test_a_bøvl_about_something_else_is_not(a: str, b: str) -> None:
    assert similarity(a, b) < THRESHOLD, (normalise(a), normalise(b))


def test_danish_letters_are_kept_and_small_words_and_endings_go() -> None:
    assert normalise("For mange dobbeltregistreringer i journalen!") == [
        "dobbeltregistrering",
        "journal",
    ]
    assert normalise("Møderne på Ærø") == ["mød", "ærø"]
    assert normalise("borgerne, borgere, borger") == ["borg", "borg", "borg"]
    assert normalise("og i på for") == []


def test_nothing_in_common_when_a_title_has_no_words_that_carry_meaning() -> None:
    assert similarity("og i på", "og i på") == 0.0
    assert similarity("", "Printeren virker ikke") == 0.0


def test_the_three_best_matches_best_first_each_once() -> None:
    candidates = [
        (1, "For mange møder om budgettet"),
        (2, "dobbelt registrering i journal"),
        (3, "Dobbeltregistrering i journalerne"),
        (2, "journal"),  # the same key again: counted once, with its best score
        (4, "Journalen kræver dobbelt registrering"),
        (5, "Dobbeltregistreringer i journalen igen"),
        (6, "Dårlig kaffe"),
    ]
    found = most_similar("For mange dobbeltregistreringer i journalen", candidates)
    assert len(found) == 3
    assert [m.key for m in found][:2] in ([2, 3], [3, 2])
    assert all(m.score >= THRESHOLD for m in found)
    assert [m.score for m in found] == sorted((m.score for m in found), reverse=True)
    assert 1 not in [m.key for m in found] and 6 not in [m.key for m in found]
    assert most_similar("Dårlig parkering", candidates) == []

"""The foundation's whole loop, Odder-like, driven through the console adapter in Danish and in
English: setup → workshop → summary with 3 of 8 absent → answers → status."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from handlers.context import Deps
from tests.conftest import Clock
from tests.console_driver import ConsoleDriver, Post

FACILITATOR = "Mette Lund"
ATTENDEES = ["Anna Holm", "Bo Sørensen", "Camilla Friis", "Dorte Bach"]
ABSENT = ["Emil Vestergaard", "Frida Juhl", "Gitte Møller"]


@dataclass(frozen=True)
class Words:
    language: str  # its option in the setup form
    # The labels of the fields typed in, and the options chosen.
    title_field: str
    when_field: str
    attended_field: str
    summary_field: str
    decisions_field: str
    questions_field: str
    next_steps_field: str
    input_field: str
    name_field: str
    with_my_name: str
    anonymously: str
    # What the bot says.
    set_up: str
    dm_to: str
    only_to_you: str
    summary_heading: str
    dm_heading: str
    give_input: str
    no_input: str
    asked: str
    thanks: str
    input_from: str
    anonymous: str
    answered_named: str
    answered_anonymous: str
    waits: str
    declined: str
    step: str
    track_line: str
    inputs: str
    reach: str
    decisions: str
    updated: str


DANISH = Words(
    language="Dansk",
    title_field="Titel",
    when_field="Dato og tidspunkt",
    attended_field="Hvem deltog?",
    summary_field="Opsamling",
    decisions_field="Beslutninger",
    questions_field="Åbne spørgsmål",
    next_steps_field="Næste skridt",
    input_field="Dit input",
    name_field="Vis mit navn?",
    with_my_name="Ja, med mit navn",
    anonymously="Nej, anonymt",
    set_up="Forløbet »Odder – samskabt styring« er sat op.",
    dm_to="DM til ",
    only_to_you="kun til dig",
    summary_heading="Opsamling fra workshoppen: Ny visitationsmodel",
    dm_heading="Du var ikke med til »Ny visitationsmodel«: vi vil gerne høre fra dig",
    give_input="Giv input",
    no_input="Intet input fra mig",
    asked="3 kolleger, der ikke deltog, er blevet spurgt om input: Emil Vestergaard, Frida Juhl, Gitte Møller.",
    thanks="Tak for dit input!",
    input_from="Input fra Emil Vestergaard",
    anonymous="Input fra en anonym kollega",
    answered_named="Tak, dit input er modtaget og delt med dit navn.",
    answered_anonymous="Tak, dit input er modtaget og bliver delt anonymt.",
    waits="når mindst 3 kolleger har svaret",
    declined="Du har svaret »intet input fra mig«. Tak; du får ingen påmindelser.",
    step="Trin 3 af 6: Udvikle løsninger",
    track_line="Visitation: 1 holdt, 0 planlagt · senest: Ny visitationsmodel",
    inputs="Input modtaget: 2 input",
    reach="Har svaret: 3 kolleger (2 med input, 1 uden)",
    decisions="Beslutninger indtil nu · Visitation:",
    updated="opdateret",
)
ENGLISH = Words(
    language="English",
    title_field="Title",
    when_field="Date and time",
    attended_field="Who attended?",
    summary_field="Summary",
    decisions_field="Decisions",
    questions_field="Open questions",
    next_steps_field="Next steps",
    input_field="Your input",
    name_field="Show my name?",
    with_my_name="Yes, with my name",
    anonymously="No, anonymously",
    set_up="The process “Odder – samskabt styring” is set up.",
    dm_to="DM to ",
    only_to_you="only to you",
    summary_heading="Summary of the workshop: Ny visitationsmodel",
    dm_heading="You were not at “Ny visitationsmodel”: we would like your input",
    give_input="Give input",
    no_input="No input from me",
    asked="3 colleagues who did not attend have been asked for input: Emil Vestergaard, Frida Juhl, Gitte Møller.",
    thanks="Thank you for your input!",
    input_from="Input from Emil Vestergaard",
    anonymous="Input from an anonymous colleague",
    answered_named="Thank you, your input is received and shared with your name.",
    answered_anonymous="Thank you, your input is received and will be shared anonymously.",
    waits="when at least 3 colleagues have responded",
    declined="You answered “no input from me”. Thank you; you will not be reminded.",
    step="Step 3 of 6: Develop solutions",
    track_line="Visitation: 1 held, 0 planned · latest: Ny visitationsmodel",
    inputs="Input received: 2 inputs",
    reach="Have answered: 3 colleagues (2 with input, 1 without)",
    decisions="Decisions so far · Visitation:",
    updated="updated",
)


@pytest.mark.parametrize("words", [DANISH, ENGLISH], ids=["da", "en"])
def test_whole_loop_in_the_console(deps: Deps, clock: Clock, tmp_path: Path, words: Words) -> None:
    chat = ConsoleDriver(deps, channel="odder", as_name=FACILITATOR, export_dir=tmp_path)
    chat.type("/join " + ", ".join(ATTENDEES + ABSENT))

    # The rest as proposed: the tracks Visitation, Dokumentation and Budget, the digest on
    # Mondays at 09:00, no second channel, the reminders, 3 colleagues before anonymous input
    # shows, no other facilitators.
    posts = chat.type(
        "/samskab setup",
        {
            "Forløbets navn": "Odder – samskabt styring",
            "Nuværende trin": "3",
            "Sprog": words.language,
        },
    )
    assert posts[0].label == words.only_to_you and words.set_up in posts[0].body
    assert posts[1].label == "#odder" and words.step in posts[1].body

    chat.type(
        "/samskab workshop",
        {words.title_field: "Ny visitationsmodel", words.when_field: "2026-11-25 13:00"},
    )
    clock.set(clock.now.replace(day=25, hour=16))

    posts = chat.type(  # the proposed question, and the proposed deadline a week ahead
        "/samskab summary",
        {
            words.attended_field: ", ".join([FACILITATOR, *ATTENDEES]),  # 5 of the 8 invited
            words.summary_field: "Vi tegnede et første udkast til en fælles visitationsmodel.",
            words.decisions_field: "Fælles opstartsmøde afprøves i team Nord\n"
            "Bestillingen skrives i borgerens egne ord",
            words.questions_field: "Hvem indkalder til mødet?",
            words.next_steps_field: "Team Nord planlægger afprøvningen",
        },
    )
    assert posts[0].label == words.only_to_you and words.asked in posts[0].body
    channel_posts = [p for p in posts if p.label == "#odder"]
    assert len(channel_posts) == 1
    summary = channel_posts[0].body
    assert words.summary_heading in summary and words.step in summary
    assert "Fælles opstartsmøde afprøves i team Nord" in summary
    assert "Hvem indkalder til mødet?" in summary

    dms = {p.label.removeprefix(words.dm_to): p for p in posts if p.label.startswith(words.dm_to)}
    assert sorted(dms) == sorted(ABSENT), "exactly the absent colleagues get a DM"
    for dm in dms.values():
        assert words.dm_heading in dm.body
        assert "Vi tegnede et første udkast" in dm.body
        assert "Fælles opstartsmøde afprøves i team Nord" in dm.body
        assert f"] {words.give_input}" in dm.body and f"] {words.no_input}" in dm.body

    # Emil answers with his name.
    chat.type("/as Emil Vestergaard")
    posts = chat.type(
        "/click " + chat.button(dms["Emil Vestergaard"], words.give_input),
        {words.input_field: "Husk nattevagterne.", words.name_field: words.with_my_name},
    )
    assert words.thanks in _only(posts, words.only_to_you).body
    thread = _only(posts, "#odder")
    assert words.input_from in thread.body and "Husk nattevagterne." in thread.body
    assert words.summary_heading in thread.label, "the input is posted in the summary's thread"
    assert words.answered_named in _only(posts, words.dm_to + "Emil").body
    assert words.updated in _only(posts, words.dm_to + "Emil").label

    # Frida answers anonymously: her name appears nowhere in the channel.
    chat.type("/as Frida Juhl")
    posts = chat.type(
        "/click " + chat.button(dms["Frida Juhl"], words.give_input),
        {
            words.input_field: "Borgerne skal have tid til at forberede sig.",
            words.name_field: words.anonymously,
        },
    )
    # Only two colleagues have responded: her input waits, so that its time cannot point to her.
    assert not [p for p in posts if p.label.startswith("#odder")]
    assert words.waits in _only(posts, words.only_to_you).body
    assert words.answered_anonymous in _only(posts, words.dm_to + "Frida").body

    # Gitte has no input this time: the third response, and Frida's input is shown.
    chat.type("/as Gitte Møller")
    posts = chat.type("/click " + chat.button(dms["Gitte Møller"], words.no_input))
    assert words.declined in _only(posts, words.dm_to + "Gitte").body
    assert not [p for p in posts if p.label == "#odder"]
    thread = _only(posts, "#odder")
    assert words.summary_heading in thread.label
    assert words.anonymous in thread.body and "Borgerne skal have tid" in thread.body
    assert "Frida" not in thread.body

    # Clicking again changes nothing and says so.
    posts = chat.type("/click " + chat.button(dms["Gitte Møller"], words.give_input))
    assert len(posts) == 1 and posts[0].label == words.only_to_you

    chat.type("/as " + FACILITATOR)
    status = _only(chat.type("/samskab status"), words.only_to_you).body
    assert words.step in status
    assert words.track_line in status
    assert words.decisions in status and "Bestillingen skrives i borgerens egne ord" in status
    assert "Hvem indkalder til mødet?" in status
    assert words.inputs in status
    assert words.reach in status

    # Nobody who attended received anything but channel posts.
    for name in [FACILITATOR, *ATTENDEES]:
        assert not chat.received_by(words.dm_to + name)
    assert "Frida" not in "\n".join(p.body for p in chat.transcript if p.label.startswith("#"))


def _only(posts: list[Post], label: str) -> Post:
    matching = [p for p in posts if p.label.startswith(label)]
    assert len(matching) == 1, f"expected one post to {label!r}, got {posts}"
    return matching[0]

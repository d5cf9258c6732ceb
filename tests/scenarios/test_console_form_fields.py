"""Every field of every form answers a bad value (text, a number out of range, nothing, 10 000
characters) with a refusal beside the field, in the person's language, and writes nothing; the
console shows the refusal and asks again, never a traceback. And a choice reads as a person at a
terminal reads it: the default shows as its option, and "3" beside "3 colleagues" means 3."""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from bot.console.form_prompts import ConsoleForm
from bot.console.session import ConsoleSession
from handlers.commands import FORMS, handle_command
from handlers.context import ChannelRef, Deps, PersonRef
from handlers.i18n import Translator
from handlers.interactions import press_button, submit_form
from handlers.messages import Form, FormField, FormValues, Option, Reply
from handlers.people import process_for_channel
from storage.models import (
    HassleRound,
    Input,
    InputRequest,
    Process,
    Pulse,
    Summary,
    SummaryItem,
)
from tests.builders import (
    channel,
    disk_on_fire,
    person,
    plan,
    row_counts,
    set_up,
    summarise,
    with_ballot_key,
)
from tests.console_driver import ConsoleDriver

METTE, ANNA, BO, CARL = (
    person("Mette Lund"),
    person("Anna Holm"),
    person("Bo Berg"),
    person("Carl Ek"),
)
ODDER = channel("odder", [METTE, ANNA, BO, CARL])
# A bøvl round is in one phase at a time: one process each for collecting, voting and closed.
COLLECTING, VOTING, STACKING, CLOSED = (
    channel(name, [METTE, ANNA, BO, CARL])
    for name in ("bovl-samler", "bovl-stemmer", "bovl-stabler", "bovl-slut")
)

# --- the console, as a person types ----------------------------------------------------------

ANONYMITY = "Anonymt input vises, når mindst så mange har svaret"
WEEKDAY = "Statusopdatering om"
STEP = "Nuværende trin"
REMINDER = "Påmindelse før fristen for input"
TIMEZONE = "Tidszone"
CHOOSE = "Vælg en af mulighederne."


def console(deps: Deps, tmp_path: Path) -> ConsoleDriver:
    return ConsoleDriver(deps, channel="odder", as_name=METTE.name, export_dir=tmp_path)


def refusals(chat: ConsoleDriver) -> list[str]:
    return re.findall(r"⚠ [^\n]*", chat.last_text)


def process_in_odder(deps: Deps) -> Process:
    with deps.db.transaction() as session:
        process = process_for_channel(session, channel("odder"))
        assert process is not None
        session.expunge(process)
        return process


def test_text_typed_into_a_choice_is_refused_in_danish_and_asked_again(
    deps: Deps, tmp_path: Path
) -> None:
    chat = console(deps, tmp_path)
    posts = chat.type(
        "/samskab setup",
        {
            WEEKDAY: ["hver mandag", "tirsdag"],
            TIMEZONE: ["København", "Europe/Copenhagen"],
            ANONYMITY: ["tre", "3"],
        },
    )
    # A choice is refused as it is typed; the timezone when the form is sent, which then asks
    # for it again. Either way the field is asked again, and nothing else.
    assert refusals(chat) == [
        f"⚠ {WEEKDAY}: {CHOOSE}",
        f"⚠ {ANONYMITY}: {CHOOSE}",
        f"⚠ {TIMEZONE}: Ukendt tidszone. Brug et navn som Europe/Copenhagen.",
    ]
    for refusal, field in zip(refusals(chat), [WEEKDAY, ANONYMITY, TIMEZONE], strict=True):
        asked_again = chat.last_text.split(refusal, 1)[1]
        assert asked_again.startswith(f"\n{field} "), asked_again[:200]
    assert "Forløbet »odder« er sat op." in posts[0].body
    process = process_in_odder(deps)
    assert (process.digest_weekday, process.anonymity_threshold) == (1, 3)
    assert process.timezone == "Europe/Copenhagen"


def test_the_default_of_a_choice_shows_as_its_option_not_its_number(
    deps: Deps, tmp_path: Path
) -> None:
    chat = console(deps, tmp_path)
    chat.type("/samskab setup")
    asked = chat.last_text
    # (The output only: what the person types, and the end of their line, are not in it.)
    assert f"{STEP} [1. Intro og fælles sprog]: " in asked
    assert f"{WEEKDAY} [mandag]: " in asked
    assert f"{REMINDER} [2 arbejdsdage før]: " in asked
    assert f"{ANONYMITY} (valgfrit) (Indtil da" in asked and "[3 kolleger]: " in asked
    assert "Sprog [Dansk]: " in asked
    # Options that are numbers themselves carry no list number to mistake for theirs...
    assert "  • 2 kolleger\n  • 3 kolleger\n" in asked and ") 3 kolleger" not in asked
    assert "  • Ingen\n  • 1 arbejdsdag før\n" in asked
    # ... and options in words are numbered, to pick one by its number.
    assert "  1) mandag\n  2) tirsdag\n" in asked


@pytest.mark.parametrize(
    ("typed", "threshold", "weekday", "reminder"),
    [
        # The number a person reads: "3" beside "3 kolleger", "2" beside "2) tirsdag".
        ({ANONYMITY: "3", WEEKDAY: "2", REMINDER: "0"}, 3, 1, 0),
        # The option's text, in any case.
        ({ANONYMITY: "7 KOLLEGER", WEEKDAY: "Søndag", REMINDER: "ingen"}, 7, 6, 0),
        ({ANONYMITY: "10", WEEKDAY: "1", REMINDER: "5"}, 10, 0, 5),
    ],
    ids=["numbers", "words", "ends"],
)
def test_a_choice_takes_the_number_or_the_text_a_person_reads(
    deps: Deps,
    tmp_path: Path,
    typed: dict[str, str],
    threshold: int,
    weekday: int,
    reminder: int,
) -> None:
    chat = console(deps, tmp_path)
    chat.type("/samskab setup", typed)
    assert refusals(chat) == []
    process = process_in_odder(deps)
    assert process.anonymity_threshold == threshold
    assert process.digest_weekday == weekday
    assert process.reminder_days_before == reminder


def test_a_number_beyond_the_options_is_refused_not_taken_for_another(
    deps: Deps, tmp_path: Path
) -> None:
    chat = console(deps, tmp_path)
    chat.type(
        "/samskab setup",
        {
            STEP: ["7", "6"],
            # 0 is Monday's code, which the person never sees: not the list's number.
            WEEKDAY: ["0", "8", "²", "7"],
            ANONYMITY: ["1", "11", "9" * 10_000, "2"],
        },
    )
    assert (
        refusals(chat)
        == [f"⚠ {STEP}: {CHOOSE}"]
        + [f"⚠ {WEEKDAY}: {CHOOSE}"] * 3
        + [f"⚠ {ANONYMITY}: {CHOOSE}"] * 3
    )
    process = process_in_odder(deps)
    assert (process.current_step, process.digest_weekday, process.anonymity_threshold) == (6, 6, 2)


@pytest.mark.parametrize("number", ["²", "9" * 10_000, "-1", "tre"])
def test_a_button_number_that_is_no_button_is_answered(
    deps: Deps, tmp_path: Path, number: str
) -> None:
    chat = console(deps, tmp_path)
    chat.type("/click " + number)
    assert f"Der er ingen knap {number}." in chat.last_text


def test_a_failure_is_apologised_for_and_the_console_goes_on(deps: Deps) -> None:
    """The database refuses a step change (twice): each time the apology, and the console goes on
    to answer the status."""
    set_up(deps, ODDER, METTE)
    disk_on_fire(deps, "INSERT ON step_changes")
    lines: Iterator[str | None] = iter(["/samskab trin 2", "/samskab trin 3", "/samskab status"])
    out = io.StringIO()
    session = ConsoleSession(deps, partial(next, lines, None), out, as_name=METTE.name)
    assert session.run() == 0
    assert out.getvalue().count("Beklager, noget gik galt hos os. Prøv igen om lidt.") == 2
    assert "Trin 1 af 6" in out.getvalue().split("/samskab status")[-1]


# --- every field of every form, submitted as any platform submits it -------------------------


@pytest.fixture(scope="module")
def module_deps(module_deps: Deps) -> Deps:
    """The module's deps with a ballot key, as the bot has them where voting can open (the
    other forms do not read it)."""
    return with_ballot_key(module_deps)


@dataclass(frozen=True)
class World:
    """A process with something for every form: a request for input, an input, a pulse, and
    two planned workshops to choose between; and a bøvl round collecting, one voting and one
    closed, each in a process of its own."""

    request: str  # Anna's: she was not at the first workshop
    input: str  # Bo's, with his name
    pulse: str
    workshop: str  # planned
    collecting: str  # a round with #1, #2 and an anonymous bøvl, shown
    voting: str  # 2 dots each: the three bøvl are one too many
    stacking: str  # 3 dots each, as many on one bøvl as one likes: a field for each dot
    closed: str


@pytest.fixture(scope="module")
def world(module_deps: Deps) -> World:
    deps = module_deps
    collecting = _hassle_round(deps, COLLECTING)
    voting = _hassle_round(deps, VOTING)
    _open_voting(deps, VOTING, voting)
    stacking = _hassle_round(deps, STACKING)
    _open_voting(deps, STACKING, stacking, dots="3", stacking="yes")
    closed = _hassle_round(deps, CLOSED)
    _open_voting(deps, CLOSED, closed)
    dots = submit_form(deps, BO, None, "hassle.dots", {"round": closed}, {"items": ["1", "2"]})
    assert dots.ok, dots.errors
    ended = submit_form(
        deps, METTE, CLOSED, "hassle.close", {"round": closed}, {"confirm": "close"}
    )
    assert ended.ok, ended.errors
    set_up(deps, ODDER, METTE)
    held = plan(deps, ODDER, METTE, [METTE, ANNA, BO, CARL], title="Ny visitationsmodel")
    summarise(deps, ODDER, METTE, held, [METTE, BO, CARL])
    # A second summary, so that correcting one begins with a choice (it asks nobody for input).
    second = plan(deps, ODDER, METTE, [METTE], title="Læringsmøde", when="2026-11-18 10:00")
    summarise(deps, ODDER, METTE, second, [METTE])
    with deps.db.transaction() as session:
        process = process_for_channel(session, ODDER)
        assert process is not None
        process_id = str(process.id)
    given = submit_form(
        deps,
        BO,
        ODDER,
        "input",
        {"process": process_id},
        {"about": "general", "text": "Husk nattevagterne.", "anonymous": "named"},
    )
    assert given.ok, given.errors
    handle_command(deps, METTE, ODDER, "pulse")
    workshop = plan(deps, ODDER, METTE, [METTE, ANNA], title="Opfølgning", when="2026-11-19 10:00")
    plan(deps, ODDER, METTE, [METTE, BO], title="Budget", when="2026-11-20 10:00")
    with deps.db.transaction() as session:
        request_id = session.scalar(select(func.max(InputRequest.id)))
        input_id = session.scalar(select(func.max(Input.id)))
        pulse_id = session.scalar(select(func.max(Pulse.id)))
    return World(
        str(request_id),
        str(input_id),
        str(pulse_id),
        workshop,
        collecting,
        voting,
        stacking,
        closed,
    )


PRINTER = "Printeren virker sjældent"


def _hassle_round(deps: Deps, where: ChannelRef) -> str:
    """A process in `where` with a round collecting: #1, #2 and an anonymous one, shown (three
    colleagues have added)."""
    set_up(deps, where, METTE, step="2")
    started = submit_form(
        deps,
        METTE,
        where,
        "hassle.start",
        {},
        {"question": "Hvad bøvler?", "collect_until": "2026-12-04", "audience": "members"},
    )
    assert started.ok, started.errors
    with deps.db.transaction() as session:
        round_id = str(session.scalar(select(func.max(HassleRound.id))))
    for who, title, anonymous in [
        (ANNA, PRINTER, "named"),
        (BO, "For mange møder uden dagsorden", "named"),
        (CARL, "Vagtplanen kommer for sent", "anonymous"),
    ]:
        added = submit_form(
            deps,
            who,
            None,
            "hassle.add",
            {"round": round_id, "checked": "1"},
            {"title": title, "anonymous": anonymous},
        )
        assert added.ok, added.errors
    return round_id


def _open_voting(
    deps: Deps, where: ChannelRef, round_id: str, *, dots: str = "2", stacking: str = "no"
) -> None:
    opened = submit_form(
        deps,
        METTE,
        where,
        "hassle.open_voting",
        {"round": round_id},
        {"dots": dots, "stacking": stacking, "vote_until": "2026-12-04"},
    )
    assert opened.ok, opened.errors


@dataclass(frozen=True)
class FormCase:
    """How a person comes to a form (the reply that opens it), and where it is submitted."""

    name: str
    who: PersonRef
    where: ChannelRef | None
    open: Callable[[Deps, World], Reply]
    good: FormValues  # the fields the form leaves empty, filled well


CASES = [
    FormCase("setup", METTE, ODDER, lambda d, w: handle_command(d, METTE, ODDER, "setup"), {}),
    FormCase(
        "workshop",
        METTE,
        ODDER,
        lambda d, w: handle_command(d, METTE, ODDER, "workshop"),
        {"title": "Workshop", "starts_at": "2026-12-15 13:00"},
    ),
    FormCase(
        "workshop.change",
        METTE,
        None,
        lambda d, w: press_button(d, METTE, "workshop.change", w.workshop),
        {},
    ),
    FormCase(
        "workshop.cancel",
        METTE,
        None,
        lambda d, w: press_button(d, METTE, "workshop.cancel", w.workshop),
        {"confirm": "keep"},
    ),
    FormCase(
        "summary.pick", METTE, ODDER, lambda d, w: handle_command(d, METTE, ODDER, "summary"), {}
    ),
    FormCase(
        "summary",
        METTE,
        ODDER,
        lambda d, w: handle_command(d, METTE, ODDER, f"summary {w.workshop}"),
        {"text": "Vi nåede langt."},
    ),
    FormCase(
        "input",
        ANNA,
        None,
        lambda d, w: press_button(d, ANNA, "input.request", w.request),
        {"text": "Husk nattevagterne."},
    ),
    FormCase(
        "input (about)",
        BO,
        ODDER,
        lambda d, w: handle_command(d, BO, ODDER, "input"),
        {"text": "Husk nattevagterne."},
    ),
    FormCase(
        "input.mark", METTE, None, lambda d, w: press_button(d, METTE, "input.mark", w.input), {}
    ),
    FormCase(
        "pulse.comment",
        ANNA,
        None,
        lambda d, w: press_button(d, ANNA, "pulse.comment", w.pulse),
        {"score": "4"},
    ),
    FormCase(
        "forget-me",
        CARL,
        ODDER,
        lambda d, w: handle_command(d, CARL, ODDER, "forget-me"),
        {"confirm": "erase"},
    ),
    FormCase(
        "forget-me (named input)",
        BO,
        ODDER,
        lambda d, w: handle_command(d, BO, ODDER, "forget-me"),
        {"named": "anonymous"},
    ),
    FormCase(
        "summary.correct.pick",
        METTE,
        ODDER,
        lambda d, w: handle_command(d, METTE, ODDER, "ret-opsamling"),
        {},
    ),
    FormCase(
        "summary.correct",
        METTE,
        None,
        lambda d, w: press_button(d, METTE, "summary.correct", _newest_summary(d)),
        {"text": "Vi valgte model B."},
    ),
    FormCase("close", METTE, ODDER, lambda d, w: handle_command(d, METTE, ODDER, "close"), {}),
    FormCase(
        "item.resolve",
        METTE,
        None,
        lambda d, w: press_button(d, METTE, "item.resolve", _an_open_question(d)),
        {"text": "Lederen af team Nord"},
    ),
    FormCase(
        "hassle.start",
        METTE,
        ODDER,
        lambda d, w: handle_command(d, METTE, ODDER, "hassle start"),
        {},
    ),
    FormCase(
        "hassle.add",
        ANNA,
        None,
        lambda d, w: handle_command(d, ANNA, COLLECTING, "hassle"),
        {"title": "Nøglebokse virker ikke"},
    ),
    FormCase(
        "hassle.add (look-alikes)",
        CARL,
        None,
        # The second step: what was typed looks like #1.
        lambda d, w: (
            submit_form(
                d,
                CARL,
                None,
                "hassle.add",
                {"round": w.collecting},
                {"title": PRINTER.lower(), "anonymous": "named"},
            ).reply
        ),
        {},
    ),
    FormCase(
        "hassle.merge",
        METTE,
        None,
        lambda d, w: press_button(d, METTE, "hassle.merge", f"{w.collecting}:1"),
        {},
    ),
    FormCase(
        "hassle.scope",
        METTE,
        None,
        lambda d, w: press_button(d, METTE, "hassle.scope", f"{w.collecting}:2"),
        {"reason": "Det hører under driften."},
    ),
    FormCase(
        "hassle.open_voting",
        METTE,
        COLLECTING,
        lambda d, w: handle_command(d, METTE, COLLECTING, "hassle afstemning"),
        {},
    ),
    FormCase(
        "hassle.dots",
        ANNA,
        None,
        lambda d, w: handle_command(d, ANNA, VOTING, "hassle prikker"),
        {},
    ),
    FormCase(
        "hassle.dots (stacked)",
        ANNA,
        None,
        lambda d, w: handle_command(d, ANNA, STACKING, "hassle prikker"),
        {},
    ),
    FormCase(
        "hassle.close",
        METTE,
        VOTING,
        lambda d, w: handle_command(d, METTE, VOTING, "hassle luk"),
        {"confirm": "close"},
    ),
    FormCase(
        "hassle.choose",
        METTE,
        CLOSED,
        lambda d, w: handle_command(d, METTE, CLOSED, "hassle vælg"),
        {},
    ),
]

# Fields that legitimately take any text up to their limit (a name, a summary, a comment; a
# channel id; a user id, as Slack's picker offers anyone in the workspace)...
ANY_TEXT = {
    "setup": {"name", "tracks", "digest_channel", "facilitators"},
    "workshop": {"title"},
    "workshop.change": {"title"},
    "summary": {"text", "decisions", "open_questions", "next_steps", "question"},
    "summary.correct": {"text", "decisions", "open_questions", "next_steps", "question"},
    "input": {"text"},
    "input.mark": {"note"},
    "pulse.comment": {"comment"},
    "item.resolve": {"text"},
    "hassle.start": {"question"},
    "hassle.add": {"title", "description"},
    "hassle.scope": {"reason"},
}
# ... and fields that, left empty, keep their default or stay empty.
MAY_BE_EMPTY = {
    "setup": {
        "digest_channel",
        "reminder_days",
        "remind_on_deadline",
        "anonymity",
        "facilitators",
        "input_audience",  # left out, the stored choice stays
    },
    "summary": {"decisions", "open_questions", "next_steps"},
    "summary.correct": {"decisions", "open_questions", "next_steps"},
    "input.mark": {"note"},
    "pulse.comment": {"comment"},
    "hassle.add": {"description", "similar"},  # the look-alikes' choice: "add mine anyway"
    "hassle.open_voting": {"dots"},  # 3
    "hassle.dots": {"items", "dot_1", "dot_2", "dot_3"},  # no dots (now)
    "hassle.choose": {"chosen", "tracks"},
}
# A value each form refuses, sent beside one it accepts: the accepted value is then shown to pass
# without anything being written, so that every case finds the world as it was.
SPOILERS = {
    "setup": ("digest_time", "25:00"),
    "workshop": ("starts_at", "i morgen"),
    "workshop.change": ("starts_at", "i morgen"),
    "summary": ("deadline", "i morgen"),
    "summary.correct": ("deadline", "i morgen"),
    "input": ("anonymous", "måske"),
    "input.mark": ("status", "måske"),
    "pulse.comment": ("score", "måske"),
    "item.resolve": ("share", "måske"),
    "hassle.start": ("collect_until", "i morgen"),
    "hassle.add": ("anonymous", "måske"),
    "hassle.open_voting": ("vote_until", "i morgen"),
    # Either field may be empty: each is spoiled beside the other.
    "hassle.choose": ("tracks", "måske"),
}
SECOND_SPOILERS = {"hassle.choose": ("chosen", "måske")}
# Forms of one field have none to spoil beside it. Where what they accept is written, the
# database refuses the write (a real failure, rolled back): the value came through to it...
REFUSED_BY_THE_DATABASE = {"hassle.scope": "UPDATE ON hassle_items"}
# ... and where it writes nothing, as no dots from someone who gave none, it is simply sent.
WRITES_NOTHING = {"hassle.dots"}
# Found here, in use cases that are not this change's: a value that is not among the options is
# read as an id, and refused by a message that closes the form instead of an error beside it.
GAPS: dict[str, str] = {}  # forms known not to refuse a bad value beside its field (none now)
LONG = 10_000


def bad_values(field: FormField) -> dict[str, str | list[str]]:
    """Text, numbers out of range (beyond the options, where they are numbers; beyond any id),
    nothing, and 10 000 characters."""
    values = {
        "text": "noget tekst",
        "negative": "-1",
        "huge": "9" * 25,
        "superscript": "²",
        "empty": "",
        "10 000 letters": "x" * LONG,
        "10 000 digits": "9" * LONG,
    }
    numbers = [int(o.value) for o in field.options if o.value.isdecimal()]
    if field.kind == "choice" and len(numbers) == len(field.options):
        values |= {"below": str(min(numbers) - 1), "above": str(max(numbers) + 1)}
    if field.id == "timezone":
        values["a folder of zones"] = "Europe"
    if field.kind in ("people", "choices"):
        lists: dict[str, str | list[str]] = {
            label: [value] if value else [] for label, value in values.items()
        }
        if field.kind == "choices" and field.max_selected is not None:
            # One more than may be picked, of the form's own options where it has enough.
            more = [o.value for o in field.options][: field.max_selected + 1]
            lists["too many"] = more if len(more) > field.max_selected else lists["text"]
        return lists
    return dict(values)


def accepted(callback_id: str, field: str, value: str | list[str]) -> bool:
    text = value if isinstance(value, str) else "".join(value)
    if not text:
        return field in MAY_BE_EMPTY.get(callback_id, set())
    return field in ANY_TEXT.get(callback_id, set()) and len(text) < LONG


def opened(deps: Deps, world: World, case: FormCase) -> tuple[Form, FormValues]:
    """The form as the person is shown it, and its answers as they come: the form's own
    proposals, and the rest filled well."""
    form = case.open(deps, world).form
    assert form is not None, case.name
    return form, {f.id: _initial(f) for f in form.fields} | case.good


@pytest.mark.parametrize(
    "case",
    [
        pytest.param(c, marks=pytest.mark.xfail(strict=True, reason=GAPS[c.name]))
        if c.name in GAPS
        else c
        for c in CASES
    ],
    ids=[c.name for c in CASES],
)
def test_every_field_refuses_a_bad_value_beside_it_and_writes_nothing(
    module_deps: Deps, world: World, case: FormCase
) -> None:
    """As a platform submits the form (Slack and Teams send what their client sent)."""
    deps = module_deps
    form, good = opened(deps, world, case)
    problems: list[str] = []
    for field in form.fields:
        for label, bad in bad_values(field).items():
            values = good | {field.id: bad}
            ok = accepted(form.callback_id, field.id, bad)
            spoiled = ""
            if ok and form.callback_id not in REFUSED_BY_THE_DATABASE | dict.fromkeys(
                WRITES_NOTHING
            ):
                spoiled, spoiler = SPOILERS[form.callback_id]
                if spoiled == field.id:
                    spoiled, spoiler = SECOND_SPOILERS[form.callback_id]
                values[spoiled] = spoiler
            before = row_counts(deps)
            where = f"{case.name}: {field.id} = {label}"
            if ok and form.callback_id in REFUSED_BY_THE_DATABASE:
                with database_refuses(deps, REFUSED_BY_THE_DATABASE[form.callback_id]):
                    try:
                        outcome = submit_form(
                            deps, case.who, case.where, form.callback_id, form.metadata, values
                        )
                        problems.append(f"{where}: not written: {outcome.errors}")
                    except Exception as error:
                        if "disk on fire" not in str(error):
                            problems.append(f"{where}: {type(error).__name__}: {str(error)[:200]}")
                if row_counts(deps) != before:
                    problems.append(f"{where}: something was written")
                continue
            try:
                outcome = submit_form(
                    deps, case.who, case.where, form.callback_id, form.metadata, values
                )
            except Exception as error:  # what escaped is the finding
                problems.append(f"{where}: {type(error).__name__}: {str(error)[:200]}")
                continue
            if row_counts(deps) != before:
                problems.append(f"{where}: something was written")
            if ok:
                # Refused beside the spoiler only; with none, not refused at all.
                spoiled_only = spoiled in outcome.errors if spoiled else not outcome.errors
                if field.id in outcome.errors or not spoiled_only:
                    problems.append(f"{where}: not accepted: {outcome.errors}")
            elif field.id not in outcome.errors:
                said = outcome.reply.message.text if outcome.reply.message else outcome.errors
                problems.append(f"{where}: no error beside the field: {str(said)[:200]}")
            elif not outcome.errors[field.id].startswith(DANISH_REFUSALS):
                problems.append(f"{where}: not in Danish: {outcome.errors[field.id][:200]}")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_the_console_reads_any_answer_to_any_field(
    module_deps: Deps, world: World, case: FormCase
) -> None:
    """Whatever is typed, reading it never fails. A choice's answer that names no option is
    refused at once and asked again (answered here with Enter: the default); anything else goes
    to the use case as typed, whose answer to it the test above shows."""
    form, _ = opened(module_deps, world, case)
    for field in form.fields:
        for label, bad in bad_values(field).items():
            typed = ", ".join(bad) if isinstance(bad, list) else bad
            # The answer, then Enter (which also ends a long text).
            lines: Iterator[str | None] = iter([typed, ""])
            out = io.StringIO()
            filler = ConsoleForm(partial(next, lines, None), out, Translator("da"))
            value = filler.fill(form, only={field.id})[field.id]
            if field.kind == "choices":
                where = f"{case.name}: {field.id} = {label}"
                assert isinstance(value, list), where
                assert set(value) <= {o.value for o in field.options}, where
            if field.kind == "choice":
                where = f"{case.name}: {field.id} = {label}"
                assert value in {o.value for o in field.options} | {_initial(field)}, where
                if label in ("text", "superscript", "10 000 letters", "10 000 digits"):
                    # A question keeps its own mark: "Vis mit navn? …", never "…?: …".
                    asked = field.label if field.label.endswith("?") else field.label + ":"
                    assert f"⚠ {asked} {CHOOSE}" in out.getvalue(), where
            assert "?:" not in out.getvalue(), f"{case.name}: {field.id}"


def test_every_form_of_the_table_is_tried() -> None:
    assert {c.name.split(" (")[0] for c in CASES} == set(FORMS)


@contextmanager
def database_refuses(deps: Deps, event: str) -> Iterator[None]:
    """While inside, the database refuses `event` ("UPDATE ON hassle_items"); then no more."""
    disk_on_fire(deps, event)
    try:
        yield
    finally:
        with deps.db.transaction() as session:
            if session.get_bind().dialect.name == "postgresql":
                table = event.split(" ON ")[1]
                session.execute(text(f"DROP TRIGGER disk_on_fire ON {table}"))
                session.execute(text("DROP FUNCTION disk_on_fire()"))
            else:
                session.execute(text("DROP TRIGGER disk_on_fire"))


def _newest_summary(deps: Deps) -> str:
    with deps.db.transaction() as session:
        return str(session.scalar(select(func.max(Summary.id))))


def _an_open_question(deps: Deps) -> str:
    with deps.db.transaction() as session:
        found = select(func.max(SummaryItem.id)).where(SummaryItem.kind == "open_question")
        return str(session.scalar(found))


def _initial(field: FormField) -> str | list[str]:
    if isinstance(field.initial, tuple):
        return list(field.initial)
    return field.initial or ""


DANISH_REFUSALS = (
    "Vælg",
    "Udfyld",
    "For langt",
    "Skriv",
    "Ukendt",
    "Ikke med",
    "Ingen her",
    "Du har valgt",  # more dots than one has
)


# --- several choices, typed as numbers ---------------------------------------------------------

DOTS = "Hvilket bøvl fylder mest?"


def dots_form(*, initial: tuple[str, ...] | None = ("112", "103"), n: int = 12) -> Form:
    """A round's vote as the console shows it: options whose values (ids from 101) are not the
    numbers of the list, so a number typed can only be read as the list's."""
    options = tuple(Option(str(100 + i), f"Bøvl nummer {i}") for i in range(1, n + 1))
    field = FormField(
        "dots", DOTS, "choices", options=options, max_selected=3, initial=initial, required=False
    )
    return Form("hassle.vote", "Bøvlrunden", "Sæt prikker", (field,))


def fill_dots(typed: list[str], form: Form | None = None) -> tuple[FormValues, str]:
    lines: Iterator[str | None] = iter(typed)
    out = io.StringIO()
    values = ConsoleForm(partial(next, lines, None), out, Translator("da")).fill(
        form or dots_form()
    )
    return values, out.getvalue()


def test_several_choices_are_typed_as_the_lists_numbers_separated_by_commas() -> None:
    values, shown = fill_dots(["1, 3,12"])
    assert values == {"dots": ["101", "103", "112"]}
    assert "  1) Bøvl nummer 1\n  2) Bøvl nummer 2\n" in shown
    assert "  12) Bøvl nummer 12\n" in shown
    assert "  Vælg op til 3 – skriv numrene adskilt af komma.\n" in shown
    # The initial picks as the numbers to type.
    assert f"{DOTS} (valgfrit) [12, 3]: " in shown


def test_too_many_or_unknown_choices_are_refused_at_once_and_asked_again() -> None:
    values, shown = fill_dots(["1, 2, 3, 4", "13", "101", "tre", "2, bøvl nummer 5, 2"])
    assert re.findall(r"⚠ [^\n]*", shown) == [
        f"⚠ {DOTS} Vælg højst 3.",
        # 101 is an option's id, never shown: as a number of the list it is beyond it.
        *[f"⚠ {DOTS} Vælg blandt mulighederne."] * 3,
    ]
    assert shown.count(f"{DOTS} (valgfrit) [12, 3]: ") == 5
    assert values == {"dots": ["102", "105"]}, "each pick once, by its number or its text"


def test_enter_keeps_the_initial_choices_and_a_dash_chooses_none() -> None:
    assert fill_dots([""])[0] == {"dots": ["112", "103"]}
    assert fill_dots(["-"])[0] == {"dots": []}
    values, shown = fill_dots([""], dots_form(initial=None))
    assert values == {"dots": []} and f"{DOTS} (valgfrit): " in shown

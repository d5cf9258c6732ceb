"""`samskab demo`: an example process modelled on Odder Kommune's (2017–18), built through the
same use cases as a real one, so that `status` and `export` show a real picture at once. Dated
from the day it is loaded, on working days only; one colleague (demo_data.ABSENT_COLLEAGUE) is still asked
for input, so the absent colleague's side can be tried at once."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from bot.console.messenger import CONSOLE
from bot.console.session import WORKSPACE, person_ref
from bot.demo_data import (
    CHANNEL,
    COLLEAGUES,
    DECLINED,
    FACILITATORS,
    LATEST_HELD,
    NAME,
    STARTS,
    WORKSHOPS,
    DemoWorkshop,
)
from handlers.context import ChannelRef, Deps, PersonRef
from handlers.i18n import Translator
from handlers.inputs.giving import decline_input, give_input
from handlers.inputs.lifecycle import submit_mark
from handlers.inputs.reminders import send_due_reminders
from handlers.inputs.working_time import default_deadline, is_working_day
from handlers.interactions import submit_form
from handlers.messages import FormOutcome
from schedules.delivery import drain
from schedules.envelopes import Delivered, Envelope
from storage.models import Input, InputRequest, Member, Person, Process, Summary, Workshop


class _Archive:
    """Delivers the demo's history silently: those messages went out in the past."""

    platform = CONSOLE

    async def deliver(self, envelope: Envelope) -> Delivered:
        dm = f"dm-{envelope.recipient.user_id}" if envelope.recipient else None
        return Delivered(ref=f"demo-{envelope.key}", dm_channel=dm)


def _at(deps: Deps, when: datetime) -> Deps:
    return replace(deps, clock=lambda: when)


def load_demo(deps: Deps, tr: Translator) -> str:
    channel = ChannelRef(CONSOLE, WORKSPACE, CHANNEL, CHANNEL)
    with deps.db.transaction() as session:
        if session.scalar(
            select(Process.id).where(Process.channel_id == CHANNEL, Process.platform == CONSOLE)
        ):
            return tr._(
                "The demo process is already loaded in #{channel}. Start the console "
                "with: samskab console"
            ).format(channel=CHANNEL)
    now = deps.clock()
    zone = ZoneInfo(deps.timezone)
    facilitator = person_ref(FACILITATORS[0])
    people = [person_ref(n) for n in (*FACILITATORS, *COLLEAGUES)]
    start = now - timedelta(days=60)
    setup = replace(channel, roster=tuple(people))
    _ok(
        submit_form(
            _at(deps, start),
            facilitator,
            setup,
            "setup",
            {},
            {
                "name": NAME,
                "tracks": "Visitation\nDokumentation\nBudget",
                "step": "3",
                "digest_weekday": "0",
                "digest_time": "09:00",
                "language": deps.language,
                "timezone": deps.timezone,
                "facilitators": [person_ref(FACILITATORS[1]).user_id],
            },
        )
    )
    with deps.db.transaction() as session:
        process = session.scalars(select(Process).where(Process.channel_id == CHANNEL)).one()
        tracks = {t.name: t.id for t in process.tracks}
        country = process.holiday_country
    today = now.astimezone(zone).date()
    marks: list[tuple[str, str, str]] = []
    for n, (workshop, day) in enumerate(zip(WORKSHOPS, _days(today, country), strict=True)):
        starts = datetime.combine(day, STARTS, zone)
        invited = [people[0], people[1], *people[2 + n * 3 : 2 + n * 3 + 9]]
        _ok(
            submit_form(
                _at(deps, starts - timedelta(days=14)),
                facilitator,
                channel,
                "workshop",
                {},
                {
                    "track": str(tracks[workshop.track]),
                    "title": workshop.title,
                    "starts_at": starts.strftime("%Y-%m-%d %H:%M"),
                    "invitees": [p.user_id for p in invited],
                },
            )
        )
        if not workshop.held:
            continue
        workshop_id = _workshop_id(deps, workshop.title)
        after = starts + timedelta(hours=4)
        absent = {p.user_id for p in invited[3 + n % 2 : 6 + n % 2]}
        # The deadline the form proposes; the most recent workshop's is still ahead.
        deadline = default_deadline(day, country=country)
        if workshop is LATEST_HELD:
            deadline = max(deadline, default_deadline(today, country=country))
        _ok(
            submit_form(
                _at(deps, after),
                facilitator,
                channel,
                "summary",
                {"workshop": workshop_id},
                {
                    "attendees": [p.user_id for p in invited if p.user_id not in absent],
                    "text": workshop.summary,
                    "decisions": "\n".join(workshop.decisions),
                    "open_questions": "\n".join(workshop.questions),
                    "next_steps": "\n".join(workshop.steps),
                    "question": workshop.question,
                    "deadline": deadline.isoformat(),
                },
            )
        )
        asyncio.run(drain(deps.db, {CONSOLE: _Archive()}, after, limit=1000))
        _answer(deps, workshop_id, after + timedelta(days=1), workshop)
        marks += [(text, *mark) for _, text, mark in workshop.answers if mark]
        # The sweep the scheduler runs once the deadline has passed: the requests not answered
        # expire, and anonymous input, held back until then, is shown.
        swept = datetime.combine(deadline + timedelta(days=1), time(10, 0), zone)
        if swept <= now:
            send_due_reminders(_at(deps, swept))
    _mark(
        deps,
        facilitator,
        marks,
        datetime.combine(_working_day_before(today, country), time(14, 0), zone),
    )
    asyncio.run(drain(deps.db, {CONSOLE: _Archive()}, now, limit=1000))
    return tr._(
        "Loaded the demo process “{name}” in #{channel}: 3 tracks, 9 workshops (5 held), "
        "{members} members. Start the console as its facilitator with: samskab console"
    ).format(name=NAME, channel=CHANNEL, members=len(people))


def _days(today: date, country: str) -> list[date]:
    """Each workshop's day: its `days` from today, moved to a working day (Monday to Friday,
    not a public holiday), back for a held one so it stays in the past, forward for a planned
    one; planned ones each on a day of their own."""
    days: list[date] = []
    for workshop in WORKSHOPS:
        day = today + timedelta(days=workshop.days)
        step = timedelta(days=-1 if workshop.held else 1)
        while not is_working_day(day, country) or (not workshop.held and days and day <= days[-1]):
            day += step
        days.append(day)
    return days


def _working_day_before(today: date, country: str) -> date:
    day = today - timedelta(days=1)
    while not is_working_day(day, country):
        day -= timedelta(days=1)
    return day


def _mark(
    deps: Deps, facilitator: PersonRef, marks: list[tuple[str, str, str]], when: datetime
) -> None:
    """The facilitators have followed up on some of the input: what became of it."""
    for text, status, note in marks:
        with deps.db.transaction() as session:
            input_id = session.scalar(select(Input.id).where(Input.text == text))
        _ok(
            submit_mark(
                _at(deps, when),
                facilitator,
                None,
                {"input": str(input_id)},
                {"status": status, "note": note},
            )
        )


def _ok(outcome: FormOutcome) -> None:
    if not outcome.ok:
        raise RuntimeError(f"the demo data was refused: {outcome.errors}")


def _workshop_id(deps: Deps, title: str) -> str:
    with deps.db.transaction() as session:
        # The one just planned: not a cancelled (or held) one of the same title.
        query = select(Workshop.id).where(Workshop.title == title, Workshop.status == "planned")
        return str(session.scalar(query.order_by(Workshop.id.desc()).limit(1)))


def _answer(deps: Deps, workshop_id: str, when: datetime, workshop: DemoWorkshop) -> None:
    """The absentees answer as the workshop's `answers` say; the rest have not answered yet."""
    with deps.db.transaction() as session:
        rows = session.execute(
            select(InputRequest.id, Person.user_id, Person.name)
            .join(Summary, InputRequest.summary_id == Summary.id)
            .join(Member, InputRequest.member_id == Member.id)
            .join(Person, Member.person_id == Person.id)
            .where(Summary.workshop_id == int(workshop_id))
            .order_by(InputRequest.id)
        ).all()
    for (request_id, user_id, name), (how, text, _) in zip(rows, workshop.answers, strict=False):
        who = PersonRef(CONSOLE, WORKSPACE, user_id, name)
        if how == DECLINED:
            decline_input(_at(deps, when), who, str(request_id))
            continue
        _ok(
            give_input(
                _at(deps, when),
                who,
                None,
                {"request": str(request_id)},
                {"text": text, "anonymous": how},
            )
        )

"""`samskab demo`: an example process modelled on Odder Kommune's (2017–18), built through the
same use cases as a real one, so that `status` and `export` show a real picture at once."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from bot.console.messenger import CONSOLE
from bot.console.session import WORKSPACE, person_ref
from handlers.context import ChannelRef, Deps, PersonRef
from handlers.i18n import Translator
from handlers.inputs.giving import decline_input, give_input
from handlers.inputs.lifecycle import submit_mark
from handlers.inputs.reminders import send_due_reminders
from handlers.interactions import submit_form
from handlers.messages import FormOutcome
from schedules.delivery import drain
from schedules.envelopes import Delivered, Envelope
from storage.models import Input, InputRequest, Member, Person, Process, Summary, Workshop

CHANNEL = "odder-samskabelse"
NAME = "Samskabt styring i socialpsykiatrien"
FACILITATORS = ("Mette Lund", "Jesper Krogh")
COLLEAGUES = (
    "Anna Holm",
    "Bo Sørensen",
    "Camilla Friis",
    "Dorte Bach",
    "Emil Vestergaard",
    "Frida Juhl",
    "Gitte Møller",
    "Hans Kjær",
    "Ida Nygaard",
    "Jonas Bertelsen",
    "Karen Dahl",
    "Lars Thomsen",
    "Maja Poulsen",
    "Niels Brandt",
    "Oliver Skov",
    "Pernille Lauridsen",
    "Rasmus Iversen",
    "Sara Kristensen",
    "Thomas Winther",
    "Ulla Mortensen",
    "Vibeke Holst",
    "Allan Jeppesen",
    "Birgitte Lind",
    "Christian Bech",
    "Ditte Hvid",
    "Erik Storm",
    "Fatima Ali",
    "Gustav Lykke",
)

# (track, title, days from today, held?, summary, decisions, open questions, next steps)
WORKSHOPS: tuple[tuple[str, str, int, bool, str, list[str], list[str], list[str]], ...] = (
    (
        "Visitation",
        "Hvad giver bøvl i visitationen?",
        -42,
        True,
        "Vi kortlagde visitationsforløbet fra henvendelse til bevilling og fandt de steder, hvor "
        "borgeren venter, og hvor myndighed og udfører gør det samme arbejde to gange.",
        ["Vi kortlægger tre borgerforløb i detaljer før næste workshop"],
        ["Kan udfører selv justere indsatsen inden for en ramme?"],
        ["Mette samler forløbene og sender dem rundt"],
    ),
    (
        "Dokumentation",
        "Dokumentation der giver mening",
        -35,
        True,
        "Hver deltager tog en typisk dag med og markerede, hvilken dokumentation der bruges af "
        "andre, og hvilken der kun skrives for en sikkerheds skyld.",
        ["Vi stopper den dobbelte registrering af besøg i to systemer"],
        ["Hvad kræver tilsynet egentlig af os?"],
        ["Jesper spørger tilsynet om minimumskravene"],
    ),
    (
        "Budget",
        "Budgetmodellen i dag",
        -28,
        True,
        "Vi gennemgik, hvordan timerne i dag bliver til budget, og hvorfor det låser indsatsen fast.",
        ["Vi undersøger en rammestyret model for to teams"],
        ["Hvordan følger vi op, hvis vi ikke tæller timer?", "Hvad siger økonomiafdelingen?"],
        ["Økonomikonsulenten inviteres til næste budgetworkshop"],
    ),
    (
        "Visitation",
        "Ny visitationsmodel – første udkast",
        -21,
        True,
        "Første udkast til en visitationsmodel med et fælles møde mellem myndighed, udfører og "
        "borger i stedet for skriftlig bestilling.",
        [
            "Det fælles opstartsmøde afprøves i team Nord fra næste måned",
            "Bestillingen skrives i borgerens egne ord",
        ],
        ["Hvem indkalder til mødet?"],
        ["Team Nord planlægger afprøvningen"],
    ),
    (
        "Dokumentation",
        "Færre felter i journalen",
        -14,
        True,
        "Vi gik journalskabelonen igennem felt for felt og foreslår at fjerne en tredjedel.",
        ["Forslag om 14 færre felter sendes til MED-udvalget"],
        ["Kan vi beholde fritekst i stedet for afkrydsning?"],
        ["MED-udvalget behandler forslaget på næste møde"],
    ),
    ("Visitation", "Visitationsmodellen – afprøvning", 7, False, "", [], [], []),
    ("Budget", "Rammestyring frem for timer", 9, False, "", [], [], []),
    ("Dokumentation", "Dokumentation – opfølgning", 14, False, "", [], [], []),
    ("Budget", "Budget – beslutning", 21, False, "", [], [], []),
)

ANSWERS = (
    "Godt med færre dobbeltregistreringer. Husk nattevagterne, de bruger det andet system.",
    "Jeg er bekymret for, om borgerne kan nå at forberede sig til det fælles møde.",
    "Fint udkast. Vi har prøvet noget lignende i team Syd, og det virkede.",
    "Hvem tager beslutningen, hvis myndighed og udfører er uenige på mødet?",
)


MARKS = (
    ("used", "Nattevagterne er med i den nye model fra januar."),
    ("considered", "Vi tager det op på næste workshop."),
    ("not_used", "Det ligger uden for forløbets ramme; sendt videre til MED-udvalget."),
)


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
        tracks = {
            t.name: t.id
            for t in session.scalars(select(Process).where(Process.channel_id == CHANNEL))
            .one()
            .tracks
        }
    today = now.astimezone(ZoneInfo(deps.timezone)).date()
    for n, (track, title, days, held, text, decisions, questions, steps) in enumerate(WORKSHOPS):
        starts = datetime.combine(
            today + timedelta(days=days), time(13, 0), ZoneInfo(deps.timezone)
        )
        invited = [people[0], people[1], *people[2 + n * 3 : 2 + n * 3 + 9]]
        _ok(
            submit_form(
                _at(deps, starts - timedelta(days=14)),
                facilitator,
                channel,
                "workshop",
                {},
                {
                    "track": str(tracks[track]),
                    "title": title,
                    "starts_at": starts.strftime("%Y-%m-%d %H:%M"),
                    "invitees": [p.user_id for p in invited],
                },
            )
        )
        if not held:
            continue
        workshop_id = _workshop_id(deps, title)
        after = starts + timedelta(hours=4)
        absent = {p.user_id for p in invited[3 + n % 2 : 6 + n % 2]}
        _ok(
            submit_form(
                _at(deps, after),
                facilitator,
                channel,
                "summary",
                {"workshop": workshop_id},
                {
                    "attendees": [p.user_id for p in invited if p.user_id not in absent],
                    "text": text,
                    "decisions": "\n".join(decisions),
                    "open_questions": "\n".join(questions),
                    "next_steps": "\n".join(steps),
                    "question": "Hvad tænker du om det, vi nåede frem til?",
                    "deadline": (after + timedelta(days=7)).date().isoformat(),
                },
            )
        )
        asyncio.run(drain(deps.db, {CONSOLE: _Archive()}, after, limit=1000))
        _answer(deps, workshop_id, after + timedelta(days=1), n)
        # The sweep the scheduler runs: anonymous input shown once the deadline has passed.
        send_due_reminders(_at(deps, after + timedelta(days=8)))
    _mark(deps, facilitator, now - timedelta(days=2))
    asyncio.run(drain(deps.db, {CONSOLE: _Archive()}, now, limit=1000))
    return tr._(
        "Loaded the demo process “{name}” in #{channel}: 3 tracks, 9 workshops (5 held), "
        "{members} members. Start the console as its facilitator with: samskab console"
    ).format(name=NAME, channel=CHANNEL, members=len(people))


def _mark(deps: Deps, facilitator: PersonRef, when: datetime) -> None:
    """The facilitators have followed up on the first inputs: what became of them."""
    with deps.db.transaction() as session:
        shown = session.scalars(
            select(Input.id).where(Input.posted_at.is_not(None)).order_by(Input.id).limit(3)
        ).all()
    for input_id, (status, note) in zip(shown, MARKS, strict=False):
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
        return str(session.scalar(select(Workshop.id).where(Workshop.title == title)))


def _answer(deps: Deps, workshop_id: str, when: datetime, n: int) -> None:
    """The first absentee answers with their name, the second anonymously on every other
    workshop, the third declines on the others; the rest have not answered yet."""
    with deps.db.transaction() as session:
        rows = session.execute(
            select(InputRequest.id, Person.user_id, Person.name)
            .join(Summary, InputRequest.summary_id == Summary.id)
            .join(Member, InputRequest.member_id == Member.id)
            .join(Person, Member.person_id == Person.id)
            .where(Summary.workshop_id == int(workshop_id))
            .order_by(InputRequest.id)
        ).all()
    for i, (request_id, user_id, name) in enumerate(rows):
        who = PersonRef(CONSOLE, WORKSPACE, user_id, name)
        if i == 0 or (i == 1 and n % 2 == 0):
            _ok(
                give_input(
                    _at(deps, when),
                    who,
                    None,
                    {"request": str(request_id)},
                    {
                        "text": ANSWERS[(n + i) % len(ANSWERS)],
                        "anonymous": "anonymous" if i == 1 else "named",
                    },
                )
            )
        elif i == 2 and n % 2 == 1:
            decline_input(_at(deps, when), who, str(request_id))

"""`samskab demo`: an example process modelled on Odder Kommune's (2017–18), built through the
same use cases as a real one, so that `status` and `export` show a real picture at once. Dated
from the day it is loaded, on working days only; one colleague (ABSENT_COLLEAGUE) is still asked
for input, so the absent colleague's side can be tried at once."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from bot.console.messenger import CONSOLE
from bot.console.session import WORKSPACE, person_ref
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

# Who the console can become to try an absent colleague's side at once: asked for input on the
# most recent workshop, with the deadline still ahead, and has not answered (`/as Pernille
# Lauridsen`, then `/samskab input`).
ABSENT_COLLEAGUE = "Pernille Lauridsen"

NAMED, ANONYMOUS, DECLINED = "named", "anonymous", "declined"


@dataclass(frozen=True)
class DemoWorkshop:
    """One workshop of the demo. `days`: from today, moved to a working day (back for a held
    one, forward for a planned one). `answers`: what the absentees did, in the order they were
    asked (their text and, if the facilitators followed it up, its status and note); absentees
    beyond the list have not answered. Every text is the demo's only one of its kind."""

    track: str
    title: str
    days: int
    summary: str = ""
    decisions: tuple[str, ...] = ()
    questions: tuple[str, ...] = ()
    steps: tuple[str, ...] = ()
    question: str = ""  # what the absentees are asked
    answers: tuple[tuple[str, str, tuple[str, str] | None], ...] = ()

    @property
    def held(self) -> bool:
        return bool(self.summary)


WORKSHOPS: tuple[DemoWorkshop, ...] = (
    DemoWorkshop(
        "Visitation",
        "Hvad giver bøvl i visitationen?",
        -42,
        "Vi kortlagde visitationsforløbet fra henvendelse til bevilling og fandt de steder, hvor "
        "borgeren venter, og hvor myndighed og udfører gør det samme arbejde to gange.",
        ("Vi kortlægger tre borgerforløb i detaljer før næste workshop",),
        ("Kan udfører selv justere indsatsen inden for en ramme?",),
        ("Mette samler forløbene og sender dem rundt",),
        "Hvor oplever du, at borgeren venter i visitationen?",
        (
            (
                NAMED,
                "Borgeren venter længst mellem bevilling og første besøg; det hul bør med i "
                "kortlægningen.",
                ("used", "Ventetiden efter bevilling er med i de tre borgerforløb, vi kortlægger."),
            ),
            (
                ANONYMOUS,
                "Vi skriver den samme sociale historik både i ansøgningen og i bestillingen.",
                ("considered", "Vi tager det op på næste workshop."),
            ),
        ),
    ),
    DemoWorkshop(
        "Dokumentation",
        "Dokumentation der giver mening",
        -35,
        "Hver deltager tog en typisk dag med og markerede, hvilken dokumentation der bruges af "
        "andre, og hvilken der kun skrives for en sikkerheds skyld.",
        ("Vi stopper den dobbelte registrering af besøg i to systemer",),
        ("Hvad kræver tilsynet egentlig af os?",),
        ("Jesper spørger tilsynet om minimumskravene",),
        "Hvilken dokumentation skriver du kun for en sikkerheds skyld?",
        (
            (
                NAMED,
                "Godt med færre dobbeltregistreringer. Husk nattevagterne, de bruger det andet "
                "system.",
                ("used", "Nattevagterne er med i den nye model fra januar."),
            ),
            (
                ANONYMOUS,
                "Dagbogsnotaterne læser ingen; en kort status om ugen ville sige mere.",
                None,
            ),
        ),
    ),
    DemoWorkshop(
        "Budget",
        "Budgetmodellen i dag",
        -28,
        "Vi gennemgik, hvordan timerne i dag bliver til budget, og hvorfor det låser indsatsen fast.",
        ("Vi undersøger en rammestyret model for to teams",),
        ("Hvordan følger vi op, hvis vi ikke tæller timer?", "Hvad siger økonomiafdelingen?"),
        ("Økonomikonsulenten inviteres til næste budgetworkshop",),
        "Hvad ville en rammestyret budgetmodel ændre i din hverdag?",
        (
            (
                NAMED,
                "Når timerne styrer, er der ingen plads til at gøre mere i en svær uge og mindre "
                "i en god.",
                None,
            ),
            (
                ANONYMOUS,
                "Jeg er bange for, at rammestyring bliver en skjult besparelse.",
                ("not_used", "Det ligger uden for forløbets ramme; sendt videre til MED-udvalget."),
            ),
        ),
    ),
    DemoWorkshop(
        "Visitation",
        "Ny visitationsmodel – første udkast",
        -21,
        "Første udkast til en visitationsmodel med et fælles møde mellem myndighed, udfører og "
        "borger i stedet for skriftlig bestilling.",
        (
            "Det fælles opstartsmøde afprøves i team Nord fra næste måned",
            "Bestillingen skrives i borgerens egne ord",
        ),
        ("Hvem indkalder til mødet?",),
        ("Team Nord planlægger afprøvningen",),
        "Hvad skal der til, for at det fælles opstartsmøde virker for borgeren?",
        (
            (NAMED, "Fint udkast. Vi har prøvet noget lignende i team Syd, og det virkede.", None),
            (DECLINED, "", None),
        ),
    ),
    DemoWorkshop(  # last week: the deadline is still ahead, and one absentee has not answered
        "Dokumentation",
        "Færre felter i journalen",
        -4,
        "Vi gik journalskabelonen igennem felt for felt og foreslår at fjerne en tredjedel.",
        ("Forslag om 14 færre felter sendes til MED-udvalget",),
        ("Kan vi beholde fritekst i stedet for afkrydsning?",),
        ("MED-udvalget behandler forslaget på næste møde",),
        "Hvilke felter i journalen slår du selv op i?",
        (
            (NAMED, "Behold feltet om medicin; det er det eneste, nattevagten slår op i.", None),
            (DECLINED, "", None),
        ),
    ),
    DemoWorkshop("Visitation", "Visitationsmodellen – afprøvning", 7),
    DemoWorkshop("Budget", "Rammestyring frem for timer", 9),
    DemoWorkshop("Dokumentation", "Dokumentation – opfølgning", 14),
    DemoWorkshop("Budget", "Budget – beslutning", 21),
)
STARTS = time(13, 0)  # local time: an afternoon workshop
LATEST_HELD = [w for w in WORKSHOPS if w.held][-1]


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
        return str(session.scalar(select(Workshop.id).where(Workshop.title == title)))


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

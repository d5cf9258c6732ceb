"""The demo process's people and workshops (bot.demo loads them): an Odder-like process with
three tracks, nine workshops, each with its own summary, question, decisions and input."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import time

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

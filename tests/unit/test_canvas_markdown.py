"""The "Hvor er vi?" canvas in Markdown, from a status page's content: its sections found by
their headings, Danish and English, the pulse's small groups hidden, no author of input named,
people's words unable to turn into headings, links or mentions, and within Slack's limits."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from bot.slack.canvas_markdown import HEADINGS, SECTION_LIMIT, render_canvas
from handlers.i18n import Translator
from handlers.pulse.results import Group, PulseResult
from handlers.six_steps import STEP_NAMES
from handlers.status.page_content import (
    HassleChosen,
    HassleSummary,
    HassleTop,
    InputFate,
    StatusPage,
    Step,
    TrackItemList,
    TrackWorkshops,
    WorkshopLine,
)
from handlers.status.reach import Reach
from handlers.workshops.item_words import ItemState
from tests.fakes.slack_canvases import CanvasStore

NOW = datetime(2026, 11, 25, 15, 0, tzinfo=UTC)


def at(day: int, hour: int = 9) -> datetime:
    return datetime(2026, 11, day, hour, tzinfo=UTC)


def page(language: str = "da", **changes: object) -> StatusPage:
    base = StatusPage(
        process_id=1,
        name="Odder – samskabt styring",
        language=language,
        timezone="Europe/Copenhagen",
        status="active",
        closed_at=None,
        now=NOW,
        current_step=3,
        steps=tuple(
            Step(n, STEP_NAMES[n - 1], at(n) if n <= 3 else None, n == 3) for n in range(1, 7)
        ),
        tracks=(
            TrackWorkshops(
                "Visitation",
                (WorkshopLine("Ny visitationsmodel", at(20, 13), True, 8, 5),),
                3,
                (
                    WorkshopLine(
                        "Opfølgning", datetime(2026, 12, 2, 13, tzinfo=UTC), False, 8, None
                    ),
                ),
            ),
        ),
        decisions=(TrackItemList("Visitation", (ItemState("Fælles opstartsmøde afprøves"),), 1),),
        open_questions=(
            TrackItemList(
                "Visitation",
                (ItemState("Hvem indkalder?", status="answered", resolution="Lederen"),),
                3,
            ),
        ),
        you_said=(
            InputFate("K-XRB", "Giv borgerne tid.", "used", "Indgår i modellen"),
            InputFate("#2", "Husk nattevagterne.", "considered", "Tages op i december"),
        ),
        you_said_total=2,
        inputs=4,
        reach=Reach(asked=5, reached=4, gave_input=3, no_input=1),
        hassle=None,
        pulses=(
            PulseResult(
                1, at(21), 3, 10, 6, 3.8, None, Group(3, 4.0), Group(3, 3.7), workshop="Ny model"
            ),
        ),
        facilitators=("Mette Lund",),
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def test_every_section_starts_with_its_own_heading_and_is_found_by_it() -> None:
    for language in ("da", "en"):
        tr = Translator(language)
        document = render_canvas(page(language))
        headings = [section.heading for section in document.sections]
        assert headings == [tr._(h) for h in HEADINGS]
        assert len(set(headings)) == len(headings)
        store = CanvasStore()
        canvas = store.create("C1", {"type": "markdown", "markdown": document.markdown}, "t")
        # Each heading finds exactly its own section, as the bot looks it up when it edits.
        for section in document.sections:
            criteria = {"section_types": ["h2"], "contains_text": section.heading}
            assert len(store.lookup(canvas.id, criteria)) == 1, section.heading
        assert canvas.headings() == headings


def test_a_step_passed_before_the_process_came_to_samskab_is_said_to_be_passed() -> None:
    english = page("en")
    undated = replace(english, steps=(replace(english.steps[0], began_at=None), *english.steps[1:]))
    markdown = render_canvas(undated).markdown
    first = STEP_NAMES[0]
    assert f"1. {Translator('en')._(first)} · passed\n" in markdown
    assert (
        f"1. {Translator('da')._(first)} · gennemført\n"
        in render_canvas(replace(undated, language="da")).markdown
    )


def test_the_english_canvas() -> None:
    markdown = render_canvas(page("en")).markdown
    assert render_canvas(page("en")).title == "Where are we?"
    assert "**Step 3 of 6: Develop solutions**" in markdown
    assert "3. Develop solutions · began Tuesday 3 November · **Now**" in markdown
    assert "4. Test and implement solutions\n" in markdown
    assert "- … and 2 held before" in markdown
    assert "- Ny visitationsmodel · Friday 20 November · 5 of 8 invited attended" in markdown
    assert "- Opfølgning · Wednesday 2 December · planned" in markdown
    assert "Hvem indkalder? · answered: Lederen" in markdown and "- … and 2 more" in markdown
    assert "- K-XRB “Giv borgerne tid.” → used: Indgår i modellen" in markdown
    assert "**Asked for input**: 5 colleagues who did not attend" in markdown
    assert "**Have answered**: 4 colleagues (3 with input, 1 without)" in markdown
    assert "Average: 3.8 of 5" in markdown and "Response rate: 60% (6 of 10)" in markdown
    assert "Facilitator: Mette Lund" in markdown
    assert "Status as of Wednesday 25 November at 16:00." in markdown


def test_the_danish_canvas_in_the_words_already_translated() -> None:
    markdown = render_canvas(page("da")).markdown
    assert "**Trin 3 af 6: Udvikle løsninger**" in markdown
    assert "3. Udvikle løsninger · " in markdown
    assert "**Beslutninger indtil nu · Visitation**" in markdown
    assert "Hvem indkalder? · besvaret: Lederen" in markdown
    assert "→ brugt: Indgår i modellen" in markdown
    assert "Gennemsnit: 3,8 ud af 5" in markdown
    assert "Facilitator: Mette Lund" in markdown


def test_the_danish_canvas_is_called_hvor_er_vi() -> None:
    # Needs the Danish catalog to hold the canvas's new words.
    document = render_canvas(page("da"))
    assert document.title == "Hvor er vi?"
    assert document.sections[0].markdown.startswith("## De seks trin\n")
    assert "· **Nu**" in document.markdown


def test_the_pulse_shows_what_the_page_shows_and_hides_small_groups() -> None:
    few = PulseResult(2, at(24), 3, 10, 2, None, None, None, None, workshop="Ny model")
    hidden_split = PulseResult(3, at(25), 3, 10, 5, 3.4, -0.4, None, None, workshop="Ny model")
    markdown = render_canvas(page("en", pulses=(few, hidden_split))).markdown
    lines = [line for line in markdown.splitlines() if line.startswith("- Sent ")]
    assert len(lines) == 2
    assert "Results are shown when at least 3 have answered." in lines[0]
    assert "Average" not in lines[0] and "Response rate" not in lines[0]
    assert "Average: 3.4 of 5 (−0.4 since the last pulse)" in lines[1]
    assert "Attended “Ny model”: shown from 3 answers" in lines[1]
    assert "Did not attend: shown from 3 answers" in lines[1]
    assert "answers)" not in lines[1], "no group's average or count where the split is hidden"


def test_no_author_of_input_is_named() -> None:
    # An anonymous input is named by its letters, a named one by its number, as in the channel;
    # the only people named are the facilitators, whom people may ask.
    markdown = render_canvas(page("en")).markdown
    assert "K-XRB “Giv borgerne tid.”" in markdown and "#2 “Husk nattevagterne.”" in markdown
    names = [line for line in markdown.splitlines() if "Mette Lund" in line]
    assert names == ["Facilitator: Mette Lund"]


def test_a_hassle_round_shows_no_support_before_it_closes() -> None:
    voting = HassleSummary("voting", datetime(2026, 12, 1, 23, tzinfo=UTC), True, 9)
    markdown = render_canvas(page("en", hassle=voting)).markdown
    assert "Voting until" in markdown and "dots with /samskab hassle dots" in markdown
    assert "Most supported" not in markdown
    closed = HassleSummary(
        "closed",
        None,
        True,
        4,
        voted=True,
        top=(HassleTop(1, "#3", "For mange skemaer", 7, ("#9",)),),
        chosen=(HassleChosen("#3", "For mange skemaer", True, "considered", None),),
        chosen_total=1,
    )
    markdown = render_canvas(page("en", hassle=closed)).markdown
    assert "1. #3 For mange skemaer – 7 dots (with #9)" in markdown
    assert "- #3 For mange skemaer – a new track · considered" in markdown


def test_what_people_wrote_cannot_become_a_heading_a_link_or_a_mention() -> None:
    sneaky = "Godkendt\n## Indbrud\n<!channel> [klik](https://evil.example) ![](@U0BOSS) *fed*"
    markdown = render_canvas(
        page("en", decisions=(TrackItemList("Visitation", (ItemState(sneaky),), 1),))
    ).markdown
    line = next(line for line in markdown.splitlines() if "Godkendt" in line)
    assert line.startswith("- Godkendt ## Indbrud")
    for raw in ("<!channel>", "[klik]", "![](", "*fed*"):
        assert raw not in line
    store = CanvasStore()
    canvas = store.create("C1", {"type": "markdown", "markdown": markdown}, "t")
    assert "Indbrud" not in canvas.headings()


def test_a_long_canvas_stays_within_slacks_limits_and_says_what_it_left_out() -> None:
    many = tuple(ItemState(f"Beslutning {n} " + "x" * 500) for n in range(400))
    document = render_canvas(page("en", decisions=(TrackItemList("Visitation", many, len(many)),)))
    items = next(s for s in document.sections if s.heading == "Decisions and open questions")
    assert len(items.markdown) <= SECTION_LIMIT
    assert items.markdown.splitlines()[-1].startswith("- … and ")
    assert len(document.markdown) < 1_048_576  # conversations.canvases.create's limit


def test_a_closed_process_says_so() -> None:
    markdown = render_canvas(page("en", status="closed", closed_at=at(28))).markdown
    assert "The process was closed on Saturday 28 November. Nothing more is planned." in markdown

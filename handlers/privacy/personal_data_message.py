"""The readable version of a person's data (`/samskab mydata`): the rows handlers.privacy.personal_data
collected, each table as the data map says, the longest lists cut short, since the JSON file has
them all."""

from __future__ import annotations

from datetime import datetime

from handlers.i18n import Translator
from handlers.language import LANGUAGE_WORDS
from handlers.messages import Block, BulletList, Context, Fields, Heading, Message, Paragraph
from handlers.privacy.data_map import personal_tables
from handlers.privacy.personal_data import PersonalData
from handlers.privacy.personal_table import Listed, Tallied

SHOWN = 20  # items per list in the readable message; the file has them all


def personal_data_message(data: PersonalData, tr: Translator, now: datetime) -> Message:
    """Who they are, a list per table that has rows, then the tables told as a paragraph."""
    heading = tr._("Your data in Samskab")
    intro = tr._(
        "This is everything Samskab stores about you, as of {date}. The same comes as a JSON file."
    ).format(date=tr.date(tr.today(now), with_year=True))
    p = data.person
    blocks: list[Block] = [
        Heading(heading),
        Paragraph(intro),
        Fields(
            (
                (tr._("Name"), p["name"]),
                (tr._("User id"), p["user_id"]),
                (tr._("Platform and workspace"), f"{p['platform']} · {p['workspace']}"),
                (tr._("Language"), p["locale"] or tr._("not told by the platform")),
                (tr._("Language you chose"), _chosen(tr, p.get("language"))),
            )
        ),
    ]
    tables = personal_tables()
    for table in tables:
        rows = data.tables.get(table.name, [])
        if isinstance(table.readable, Listed) and rows:
            lines = [table.readable.line(tr, r) for r in rows]
            title = f"{tr._(table.readable.title)} ({len(lines)})"
            blocks.append(BulletList(title, _shortened(tr, lines)))
    for table in tables:
        if isinstance(table.readable, Tallied):
            blocks.append(Paragraph(table.readable.paragraph(tr, data.tables.get(table.name, []))))
    blocks.append(Context(tr._("To have your data erased: /samskab forget-me.")))
    return Message(f"{heading}\n{intro}", tuple(blocks), language=tr.language)


def _shortened(tr: Translator, lines: list[str]) -> tuple[str, ...]:
    if len(lines) <= SHOWN:
        return tuple(lines)
    rest = tr._("… and {n} more").format(n=len(lines) - SHOWN)
    return (*lines[:SHOWN], rest)


def _chosen(tr: Translator, language: str | None) -> str:
    """ "English", or that none was chosen (`/samskab sprog en` chooses one)."""
    if not language:
        return tr._("none (choose one with /samskab language)")
    return tr._(LANGUAGE_WORDS.get(language, language))

"""What people read when a planned workshop is changed or cancelled: the DMs to the invitees
concerned, and the channel's short post."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from handlers.i18n import Translator
from handlers.messages import Block, Context, Fields, Heading, Message, Paragraph
from storage.models import Workshop


@dataclass(frozen=True)
class Before:
    """A workshop as it was before a change: what the change lines compare with."""

    title: str
    starts_at: datetime
    track: str

    @classmethod
    def of(cls, workshop: Workshop) -> Before:
        return cls(workshop.title, workshop.starts_at, workshop.track.name)


def change_lines(tr: Translator, workshop: Workshop, before: Before) -> list[str]:
    """ "New time: …(was …)." and the like, for what changed of the time, title and track."""
    lines = []
    if workshop.starts_at != before.starts_at:
        lines.append(
            tr._("New time: {when} (was {before}).").format(
                when=tr.datetime(workshop.starts_at), before=tr.datetime(before.starts_at)
            )
        )
    if workshop.title != before.title:
        lines.append(
            tr._("New title: “{title}” (was “{before}”).").format(
                title=workshop.title, before=before.title
            )
        )
    if workshop.track.name != before.track:
        lines.append(
            tr._("New track: {track} (was {before}).").format(
                track=workshop.track.name, before=before.track
            )
        )
    return lines


def invitation_message(tr: Translator, workshop: Workshop, by: str) -> Message:
    """To a colleague added to the invitees."""
    text = tr._("You are invited to “{title}” ({track}), {when}.").format(
        title=workshop.title, track=workshop.track.name, when=tr.datetime(workshop.starts_at)
    )
    blocks: tuple[Block, ...] = (
        Heading(tr._("You are invited to a workshop: {title}").format(title=workshop.title)),
        Fields(
            (
                (tr._("Process"), workshop.process.name),
                (tr._("Track"), workshop.track.name),
                (tr._("When"), tr.datetime(workshop.starts_at)),
            )
        ),
        Context(tr._("Invited by {name}.").format(name=by)),
    )
    return Message(text, blocks, language=tr.language)


def uninvited_message(tr: Translator, workshop: Workshop, before: Before, by: str) -> Message:
    """To a colleague taken off the invitees: named as they knew it."""
    text = tr._(
        "You are no longer invited to “{title}”, {when}: the workshop no longer concerns you."
    ).format(title=before.title, when=tr.datetime(before.starts_at))
    blocks = (Paragraph(text), Context(tr._("Changed by {name}.").format(name=by)))
    return Message(text, blocks, language=tr.language)


def changed_message(tr: Translator, workshop: Workshop, before: Before, by: str) -> Message:
    """To the invitees who remain, when the time or the title changed."""
    heading = tr._("“{title}” has changed").format(title=before.title)
    lines = change_lines(tr, workshop, before)
    blocks = (
        Heading(heading),
        Paragraph("\n".join(lines)),
        Context(tr._("Changed by {name}.").format(name=by)),
    )
    return Message(f"{heading}: " + " ".join(lines), blocks, language=tr.language)


def cancelled_message(tr: Translator, workshop: Workshop, by: str) -> Message:
    """To every invitee of a cancelled workshop."""
    text = tr._("The workshop “{title}”, {when}, is cancelled.").format(
        title=workshop.title, when=tr.datetime(workshop.starts_at)
    )
    blocks = (Paragraph(text), Context(tr._("Cancelled by {name}.").format(name=by)))
    return Message(text, blocks, language=tr.language)


def channel_changed(tr: Translator, workshop: Workshop, before: Before, by: str) -> Message:
    """The channel's short post about a change it can see: time, title or track."""
    heading = tr._("Workshop changed: {title}").format(title=workshop.title)
    lines = change_lines(tr, workshop, before)
    blocks = (
        Heading(heading),
        Paragraph("\n".join(lines)),
        Context(tr._("Changed by {name}.").format(name=by)),
    )
    return Message(f"{heading}. " + " ".join(lines), blocks, language=tr.language)


def channel_cancelled(tr: Translator, workshop: Workshop, by: str) -> Message:
    text = tr._("Workshop cancelled: {title} ({track}), {when}.").format(
        title=workshop.title, track=workshop.track.name, when=tr.datetime(workshop.starts_at)
    )
    blocks = (
        Heading(tr._("Workshop cancelled: {title}").format(title=workshop.title)),
        Fields(
            (
                (tr._("Track"), workshop.track.name),
                (tr._("When"), tr.datetime(workshop.starts_at)),
            )
        ),
        Context(tr._("Cancelled by {name}.").format(name=by)),
    )
    return Message(text, blocks, language=tr.language)

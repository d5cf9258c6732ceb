"""A workshop's form, shared by planning one and changing one: its fields (empty, or filled with
a workshop's values) and the reading of what was submitted, with the date rules."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from handlers.form_reading import FormReader
from handlers.i18n import N_, Translator
from handlers.messages import FormField, FormValues, Option
from handlers.people import active_members, resolve_members
from storage.models import Member, Process, Track, Workshop

MAX_DAYS_BACK = 30
MAX_TITLE = 200


@dataclass(frozen=True)
class WorkshopValues:
    """What a submitted workshop form says, read and checked."""

    track: Track
    title: str
    starts_at: datetime
    invitees: list[Member]


def workshop_fields(
    tr: Translator, process: Process, workshop: Workshop | None = None
) -> tuple[FormField, ...]:
    """Track, title, time and invitees: empty for a new workshop (everyone invited), or as
    `workshop` is today."""
    members = active_members(process)
    if workshop is None:
        track = str(process.tracks[0].id) if process.tracks else None
        title, starts_at = None, None
        invited = tuple(m.person.user_id for m in members)
    else:
        track, title = str(workshop.track_id), workshop.title
        starts_at = tr.local(workshop.starts_at).strftime("%Y-%m-%dT%H:%M")
        ids = {inv.member_id for inv in workshop.invitations}
        invited = tuple(m.person.user_id for m in members if m.id in ids)
    return (
        FormField(
            "track",
            tr._("Track"),
            "choice",
            initial=track,
            options=tuple(Option(str(t.id), t.name) for t in process.tracks),
        ),
        FormField("title", tr._("Title"), "text", initial=title, max_length=MAX_TITLE),
        FormField(
            "starts_at",
            tr._("Date and time"),
            "datetime",
            initial=starts_at,
            hint=tr._("In {timezone}").format(timezone=process.timezone),
        ),
        FormField(
            "invitees",
            tr._("Invitees"),
            "people",
            initial=invited,
            options=tuple(Option(m.person.user_id, m.person.name) for m in members),
        ),
    )


def read_workshop(
    session: Session, process: Process, tr: Translator, values: FormValues, now: datetime
) -> WorkshopValues:
    """Every field's errors at once (raised as `Invalid`), or the values."""
    form = FormReader(values)
    track_id = form.choice("track", {str(t.id) for t in process.tracks})
    title = form.text("title", max_length=MAX_TITLE)
    starts_at = form.datetime("starts_at", tr.tz)
    if starts_at is not None and starts_at < now - timedelta(days=MAX_DAYS_BACK):
        # One just held may be registered, to write its summary; an old one would appear
        # in status and digests as news.
        form.fail(
            "starts_at",
            N_("That is more than {days} days ago. Plan a workshop ahead, or one just held."),
            days=MAX_DAYS_BACK,
        )
    invitee_ids = form.people("invitees")
    invitees = resolve_members(session, process, invitee_ids, form, "invitees")
    form.check()
    assert starts_at is not None
    track = next(t for t in process.tracks if str(t.id) == track_id)
    return WorkshopValues(track, title, starts_at, invitees)

"""Setting up a process for a channel, and keeping its members in step with the channel."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from handlers import audit
from handlers.command_spec import CommandSpec, FormSpec, Role
from handlers.context import ChannelRef, Deps, PersonRef
from handlers.facilitators import facilitator_names, joined
from handlers.form_reading import FormReader
from handlers.i18n import LANGUAGES, N_, Translator
from handlers.messages import (
    Context,
    FollowUp,
    FormOutcome,
    FormValues,
    Heading,
    Message,
    Paragraph,
    Reply,
)
from handlers.outbox import enqueue
from handlers.people import (
    enrol,
    ensure_person,
    process_for_channel,
    require_facilitator,
    require_open,
    translator_for,
)
from handlers.process.setup_form import (
    DEFAULT_ANONYMITY,
    INPUT_AUDIENCES,
    MIN_ANONYMITY,
    not_in_a_direct_chat,
    setup_form,
)
from handlers.process.steps import enter_step
from handlers.six_steps import STEP_COUNT, progress_block
from handlers.status.changed import status_changed
from storage.models import Process, StepChange, Track, Workshop


def submit_setup(
    deps: Deps,
    actor: PersonRef,
    channel: ChannelRef | None,
    metadata: dict[str, str],
    values: FormValues,
) -> FormOutcome:
    """Create or update the channel's process. Whoever creates it is its facilitator."""
    assert channel is not None  # the form belongs to its channel
    not_in_a_direct_chat(channel)
    now = deps.clock()
    form = FormReader(values)
    name = form.text("name", max_length=200)
    tracks = _unique(form.lines("tracks", max_length=2000, required=True))
    if any(len(t) > 100 for t in tracks):
        form.fail("tracks", N_("A track name can be at most {limit} characters."), limit=100)
    step = form.number("step", range(1, STEP_COUNT + 1))
    weekday = form.number("digest_weekday", range(7))
    digest_time = form.time("digest_time")
    language = form.choice("language", set(LANGUAGES))
    timezone = form.timezone("timezone")
    facilitator_ids = form.people("facilitators", required=False)
    digest_channel = form.text("digest_channel", max_length=200, required=False) or None
    reminder_days = form.number("reminder_days", range(6), default=2)
    on_deadline = form.choice("remind_on_deadline", {"yes", "no"}, required=False) != "no"
    anonymity = form.number("anonymity", range(MIN_ANONYMITY, 11), default=DEFAULT_ANONYMITY)
    audience = form.choice("input_audience", set(INPUT_AUDIENCES), required=False)
    form.check()
    assert digest_time is not None

    with deps.db.transaction() as session:
        person = ensure_person(session, actor)
        process = process_for_channel(session, channel)
        created = process is None
        if process is None:
            process = Process(
                platform=channel.platform,
                workspace=channel.workspace,
                channel_id=channel.channel_id,
                created_at=now,
                step_changed_at=now,
                status="active",
                anonymity_threshold=anonymity,
                input_audience="invited",
                name=name,
                language=language,
                timezone=timezone,
                current_step=step,
                digest_weekday=weekday,
                digest_time=digest_time,
            )
            session.add(process)
            session.flush()
            session.add(StepChange(process_id=process.id, step=step, entered_at=now))
        else:
            require_facilitator(session, process, person)
            require_open(process)
            process.name, process.language, process.timezone = name, language, timezone
            process.digest_weekday, process.digest_time = weekday, digest_time
        process.anonymity_threshold = anonymity
        if audience:  # left out, the stored choice stays (a new process: the invitees)
            process.input_audience = "channel" if audience == "channel" else "invited"
        process.digest_channel_id = digest_channel
        process.reminder_days_before, process.remind_on_deadline = reminder_days, on_deadline
        kept = _set_tracks(session, process, tracks)
        enrol(session, process, person, now, role="facilitator")
        for ref in channel.roster or ():
            enrol(session, process, ensure_person(session, ref), now)
        for user_id in facilitator_ids:
            other = ensure_person(session, PersonRef(channel.platform, channel.workspace, user_id))
            enrol(session, process, other, now, role="facilitator")
        if not created and step != process.current_step:
            enter_step(session, deps, process, step, now)
        status_changed(session, process.id)  # a new process gets its canvas
        audit.record(
            session,
            "process.created" if created else "process.updated",
            at=now,
            process=process,
            actor=person,
            step=step,
            tracks=len(process.tracks),
        )
        if created:
            _announce(session, process, now)
        tr = translator_for(person, process, deps)
        text = (
            tr._("The process “{name}” is set up.")
            if created
            else tr._("The process “{name}” is updated.")
        ).format(name=name)
        if kept:
            text += " " + tr._("Kept the tracks that have workshops: {tracks}.").format(
                tracks=", ".join(kept)
            )
        return FormOutcome(
            reply=Reply(message=Message(text, language=tr.language)),
            follow_ups=(FollowUp.ENROL_CHANNEL,),
        )


def _unique(items: list[str]) -> list[str]:
    seen: dict[str, str] = {}
    for item in items:
        seen.setdefault(item.casefold(), item)
    return list(seen.values())


def _set_tracks(session: Session, process: Process, names: list[str]) -> list[str]:
    """Make the process's tracks `names`; a track with workshops is kept. Returns those kept."""
    wanted = {n.casefold(): n for n in names}
    kept = []
    for track in list(process.tracks):
        if track.name.casefold() in wanted:
            continue
        if session.query(Workshop.id).filter(Workshop.track_id == track.id).first():
            kept.append(track.name)
        else:
            process.tracks.remove(track)
    existing = {t.name.casefold() for t in process.tracks}
    for name in names:
        if name.casefold() not in existing:
            process.tracks.append(Track(name=name, position=0))
    order = {n.casefold(): i for i, n in enumerate(names)}
    for track in process.tracks:
        track.position = order.get(track.name.casefold(), len(order))
    session.flush()
    return kept


def _announce(session: Session, process: Process, now: datetime) -> None:
    tr = Translator(process.language, process.timezone, now=now)
    facilitators = facilitator_names(session, process)  # whoever set it up, and those they named
    text = tr._("Samskab will keep this channel up to date on the process “{name}”.").format(
        name=process.name
    )
    enqueue(
        session,
        Message(
            text,
            (
                Heading(process.name),
                progress_block(tr, process.current_step),
                Paragraph(
                    text
                    + " "
                    + tr._(
                        "After each workshop, colleagues who were not there are asked for their input. "
                        "Every {weekday} at {time} a status update is posted here."
                    ).format(
                        weekday=tr.weekday(process.digest_weekday),
                        time=process.digest_time.strftime("%H:%M"),
                    )
                ),
                Paragraph(
                    tr._("Tracks: {tracks}").format(
                        tracks=", ".join(t.name for t in process.tracks)
                    )
                ),
                Context(
                    tr.ngettext(
                        "Facilitator: {names}. Type /samskab help to see what you can do.",
                        "Facilitators: {names}. Type /samskab help to see what you can do.",
                        len(facilitators),
                    ).format(names=joined(tr, facilitators))
                ),
            ),
            language=tr.language,
        ),
        key=f"setup:{process.id}",
        now=now,
        process=process,
        channel_id=process.channel_id,
    )


SETUP = CommandSpec(
    "setup",
    N_("/samskab setup: set up a process in this channel"),
    Role.FACILITATOR,
    aliases=("opsætning", "opsaetning", "opsæt"),
    run=setup_form,
    forms=(FormSpec("setup", submit_setup),),
)

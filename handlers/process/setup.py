"""Setting up a process for a channel, and keeping its members in step with the channel."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from handlers import audit
from handlers.command_spec import CommandSpec, FormSpec, Role
from handlers.context import ChannelRef, Deps, PersonRef
from handlers.errors import Refused
from handlers.form_reading import FormReader
from handlers.i18n import LANGUAGES, N_, Translator
from handlers.messages import (
    Context,
    FollowUp,
    Form,
    FormField,
    FormOutcome,
    FormValues,
    Heading,
    Message,
    Option,
    Paragraph,
    Reply,
)
from handlers.outbox import enqueue
from handlers.people import (
    active_members,
    enrol,
    ensure_person,
    process_for_channel,
    require_facilitator,
    require_open,
    translator_for,
)
from handlers.process.steps import enter_step
from handlers.six_steps import STEP_COUNT, progress_block, step_name
from storage.models import Person, Process, StepChange, Track, Workshop

DEFAULT_TRACKS = ("Visitation", "Dokumentation", "Budget")
DEFAULT_ANONYMITY, MIN_ANONYMITY = 3, 2
LANGUAGE_NAMES = {"da": "Dansk", "en": "English"}


def setup_form(deps: Deps, actor: PersonRef, channel: ChannelRef) -> Reply:
    _not_in_a_direct_chat(channel)
    with deps.db.transaction() as session:
        process = process_for_channel(session, channel)
        person = ensure_person(session, actor)
        if process is not None:
            require_facilitator(session, process, person)
            require_open(process)  # before the form, not after it is filled in
        tr = translator_for(person, process, deps)
        facilitators = (
            tuple(m.person.user_id for m in active_members(process) if m.is_facilitator)
            if process
            else ()
        )
        # Who can be chosen: the channel's people as the adapter knows them, and the members.
        candidates = {ref.user_id: ref.name or ref.user_id for ref in channel.roster or ()}
        if process is not None:
            candidates.update((m.person.user_id, m.person.name) for m in active_members(process))
        form = Form(
            callback_id="setup",
            title=tr._("Set up the process") if process is None else tr._("Process settings"),
            submit_label=tr._("Save"),
            intro=tr._("You will be the process's facilitator. You can add others below."),
            fields=(
                FormField(
                    "name",
                    tr._("Name of the process"),
                    "text",
                    max_length=200,
                    initial=process.name if process else (channel.name or None),
                ),
                FormField(
                    "tracks",
                    tr._("Tracks (one per line)"),
                    "long_text",
                    initial="\n".join(t.name for t in process.tracks)
                    if process
                    else "\n".join(DEFAULT_TRACKS),
                ),
                FormField(
                    "step",
                    tr._("Current step"),
                    "choice",
                    initial=str(process.current_step if process else 1),
                    options=tuple(
                        Option(str(n), f"{n}. {step_name(tr, n)}") for n in range(1, STEP_COUNT + 1)
                    ),
                ),
                FormField(
                    "digest_weekday",
                    tr._("Status update on"),
                    "choice",
                    initial=str(process.digest_weekday if process else 0),
                    options=tuple(Option(str(d), tr.weekday(d)) for d in range(7)),
                ),
                FormField(
                    "digest_time",
                    tr._("Status update at (HH:MM)"),
                    "time",
                    initial=process.digest_time.strftime("%H:%M") if process else "09:00",
                ),
                FormField(
                    "language",
                    tr._("Language"),
                    "choice",
                    initial=process.language if process else deps.language,
                    options=tuple(Option(c, LANGUAGE_NAMES[c]) for c in LANGUAGES),
                ),
                FormField(
                    "timezone",
                    tr._("Timezone"),
                    "text",
                    initial=process.timezone if process else deps.timezone,
                ),
                FormField(
                    "digest_channel",
                    tr._(
                        "Also post the status update in (for example the MED committee's channel)"
                    ),
                    "channel",
                    required=False,
                    initial=process.digest_channel_id if process else None,
                ),
                FormField(
                    "reminder_days",
                    tr._("Reminder before the input deadline"),
                    "choice",
                    initial=str(process.reminder_days_before if process else 2),
                    options=(
                        Option("0", tr._("None")),
                        *(
                            Option(
                                str(n),
                                tr.ngettext(
                                    "{n} working day before", "{n} working days before", n
                                ).format(n=n),
                            )
                            for n in range(1, 6)
                        ),
                    ),
                ),
                FormField(
                    "remind_on_deadline",
                    tr._("Reminder on the deadline day"),
                    "choice",
                    initial="yes" if process is None or process.remind_on_deadline else "no",
                    options=(Option("yes", tr._("Yes")), Option("no", tr._("No"))),
                ),
                FormField(
                    "anonymity",
                    tr._("Anonymous input is shown when at least this many have responded"),
                    "choice",
                    required=False,
                    initial=str(process.anonymity_threshold if process else DEFAULT_ANONYMITY),
                    options=tuple(
                        Option(
                            str(n), tr.ngettext("{n} colleague", "{n} colleagues", n).format(n=n)
                        )
                        for n in range(MIN_ANONYMITY, 11)
                    ),
                    hint=tr._(
                        "Until then, or until the input deadline, it waits, so that nobody can "
                        "tell who wrote it."
                    ),
                ),
                FormField(
                    "facilitators",
                    tr._("Other facilitators"),
                    "people",
                    required=False,
                    initial=facilitators,
                    options=tuple(Option(user_id, name) for user_id, name in candidates.items()),
                ),
            ),
            language=tr.language,
        )
        return Reply(form=form)


def submit_setup(
    deps: Deps,
    actor: PersonRef,
    channel: ChannelRef | None,
    metadata: dict[str, str],
    values: FormValues,
) -> FormOutcome:
    """Create or update the channel's process. Whoever creates it is its facilitator."""
    assert channel is not None  # the form belongs to its channel
    _not_in_a_direct_chat(channel)
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
            _announce(session, process, person, now)
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


def _not_in_a_direct_chat(channel: ChannelRef) -> None:
    """A process lives in a channel its people share, never in one person's chat with the bot."""
    if channel.direct:
        raise Refused(N_("A process is set up in its channel: write /samskab setup there."))


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


def _announce(session: Session, process: Process, facilitator: Person, now: datetime) -> None:
    tr = Translator(process.language, process.timezone, now=now)
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
                    tr._("Facilitator: {name}. Type /samskab help to see what you can do.").format(
                        name=facilitator.name
                    )
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

"""The form of `/samskab setup` (opsætning): a new process's settings with their defaults, or an
existing one's as they are. handlers.process.setup stores what is submitted."""

from __future__ import annotations

from handlers.context import ChannelRef, Deps, PersonRef
from handlers.errors import Refused
from handlers.i18n import LANGUAGES, N_
from handlers.messages import Form, FormField, Option, Reply
from handlers.people import (
    active_members,
    ensure_person,
    process_for_channel,
    require_facilitator,
    require_open,
    translator_for,
)
from handlers.six_steps import STEP_COUNT, step_name

# In the form's language: an English process should not start with Danish track names.
DEFAULT_TRACKS = (N_("Needs assessment"), N_("Documentation"), N_("Budget"))
DEFAULT_ANONYMITY, MIN_ANONYMITY = 3, 2
# Who is asked for input after a workshop (Process.input_audience), the default first.
INPUT_AUDIENCES = {
    "invited": N_("invited colleagues who did not attend (default)"),
    "channel": N_("everyone in the channel who did not attend"),
}
LANGUAGE_NAMES = {"da": "Dansk", "en": "English"}


def setup_form(deps: Deps, actor: PersonRef, channel: ChannelRef) -> Reply:
    not_in_a_direct_chat(channel)
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
                    else "\n".join(tr._(track) for track in DEFAULT_TRACKS),
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
                    "input_audience",
                    tr._("Ask for input from"),
                    "choice",
                    initial=process.input_audience if process else "invited",
                    options=tuple(Option(k, tr._(label)) for k, label in INPUT_AUDIENCES.items()),
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


def not_in_a_direct_chat(channel: ChannelRef) -> None:
    """A process lives in a channel its people share, never in one person's chat with the bot."""
    if channel.direct:
        raise Refused(N_("A process is set up in its channel: write /samskab setup there."))


def lists_the_channel(deps: Deps, channel: ChannelRef) -> bool:
    """Whether the setup form would offer the channel's people (as other facilitators) only if
    the adapter read them first: in a channel with no process yet, whose people nobody knows.
    Only looks; a process's own form offers its members."""
    if channel.direct:
        return False
    with deps.db.transaction() as session:
        return process_for_channel(session, channel) is None

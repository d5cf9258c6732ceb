"""After the vote: the facilitators choose the challenges to work on, each becoming a new track or
a topic for a workshop, and later mark what became of each (used or not used, with a note). Every
bøvl's fate follows the input lifecycle (handlers.inputs.lifecycle), and whoever wrote it, and
whoever wrote one merged into it, is told; anonymous authors too, without anyone learning who."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from handlers import audit
from handlers.context import ChannelRef, Deps, PersonRef
from handlers.errors import Refused, no_arguments
from handlers.form_reading import FormReader
from handlers.hassle.board import item_label
from handlers.hassle.results import ranked, supports_text
from handlers.hassle.rounds import latest_round, require_round, round_by_id
from handlers.i18n import N_, Translator
from handlers.inputs.lifecycle import MARK_WORDS, MAX_NOTE
from handlers.inputs.posts import STATUS_NAMES
from handlers.messages import (
    Block,
    BulletList,
    Context,
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
from handlers.people import Acting, acting, require_open, translator_for_member
from storage.models import HassleItem, HassleRound, Member, Process, Track
from storage.models.kinds import InputStatus

# What to tell an author of their bøvl, in their language.
News = Callable[[Translator], str]
CHOOSABLE = 100  # the most supported, as many as one field of choices holds
TRACK_NAME = 100  # what Track.name holds


# --- choosing ---------------------------------------------------------------------------------


def choose_command(deps: Deps, actor: PersonRef, channel: ChannelRef, argument: str) -> Reply:
    """`/samskab bøvl vælg`: the ranked bøvl to pick from, and which become new tracks."""
    no_arguments("hassle choose", argument)
    with deps.db.transaction() as session:
        who = acting(session, deps, actor, channel, role="facilitator")
        require_open(who.process)
        hassle_round = _closed_round(session, who.process)
        tr = who.tr
        items = ranked(session, hassle_round)[:CHOOSABLE]
        if not items:
            raise Refused(N_("No hassle was up for voting, so there is nothing to choose."))
        options = tuple(
            Option(
                item.reference,
                f"{item_label(item)} {item.title} – {supports_text(tr, item.supports)}",
            )
            for item in items
        )
        return Reply(
            form=Form(
                callback_id="hassle.choose",
                title=tr._("Choose the challenges"),
                submit_label=tr._("Save"),
                intro=tr._(
                    "Choose the challenges the process will work on, most supported first. Each "
                    "becomes a new track or a topic for a workshop. Whoever wrote them is told."
                ),
                metadata={"round": str(hassle_round.id)},
                fields=(
                    FormField(
                        "chosen",
                        tr._("Challenges to work on"),
                        "choices",
                        required=False,
                        initial=tuple(i.reference for i in items if i.chosen),
                        options=options,
                    ),
                    FormField(
                        "tracks",
                        tr._("Of those, new tracks"),
                        "choices",
                        required=False,
                        initial=tuple(i.reference for i in items if i.track_id is not None),
                        options=options,
                        hint=tr._(
                            "The others chosen become topics for a workshop. A track once made "
                            "stays."
                        ),
                    ),
                ),
                language=tr.language,
            )
        )


def submit_choose(
    deps: Deps,
    actor: PersonRef,
    channel: ChannelRef | None,
    metadata: dict[str, str],
    values: FormValues,
) -> FormOutcome:
    assert channel is not None  # the form belongs to its channel
    now = deps.clock()
    with deps.db.transaction() as session:
        who = acting(session, deps, actor, channel, role="facilitator")
        process, tr = who.process, who.tr
        require_open(process)
        hassle_round = round_by_id(session, metadata.get("round", ""), lock=True)
        if hassle_round.process_id != process.id or hassle_round.phase != "closed":
            raise Refused(N_("The challenges can be chosen once voting has closed."))
        items = ranked(session, hassle_round)[:CHOOSABLE]
        by_ref = {item.reference: item for item in items}
        form = FormReader(values)
        chosen = form.choices("chosen", set(by_ref), required=False)
        tracks = form.choices("tracks", set(by_ref), required=False)
        if set(tracks) - set(chosen):
            form.fail("tracks", N_("Choose new tracks only among the challenges chosen above."))
        form.check()
        newly = [by_ref[ref] for ref in chosen if not by_ref[ref].chosen]
        made = []
        for item in items:
            item.chosen = item.reference in chosen
            if item.chosen and item.status == "received":
                item.status, item.status_changed_at = "considered", now
            if item.reference in tracks and item.track_id is None:
                item.track_id = _track_for(session, process, item).id
                made.append(item)
        session.flush()
        for item in newly:
            _tell_authors(session, process, item, now, _chosen_news(item))
        for item in made:
            if item not in newly:  # chosen before, a track now
                _tell_authors(session, process, item, now, _chosen_news(item))
        picked = [item for item in items if item.chosen]
        if newly or made:
            enqueue(
                session,
                chosen_message(session, process, hassle_round, picked, now),
                key=f"hassle-chosen:{hassle_round.id}:{now.isoformat()}",
                now=now,
                process=process,
                channel_id=process.channel_id,
            )
        audit.record(
            session,
            "hassle.chosen",
            at=now,
            process=process,
            actor=who.person,
            round=hassle_round.id,
            chosen=len(picked),
            tracks=len(made),
        )
        text = tr._("{n} challenges chosen, {tracks} of them new tracks. Their authors are told.")
        return FormOutcome(
            reply=Reply(
                message=Message(text.format(n=len(picked), tracks=len(made)), language=tr.language)
            )
        )


def _track_for(session: Session, process: Process, item: HassleItem) -> Track:
    """A new track named by the bøvl's title; one of that name already there is the one."""
    name = item.title[:TRACK_NAME]
    track = session.scalar(select(Track).where(Track.process_id == process.id, Track.name == name))
    if track is None:
        last = session.scalar(
            select(func.max(Track.position)).where(Track.process_id == process.id)
        )
        track = Track(process_id=process.id, name=name, position=(last or 0) + 1)
        session.add(track)
        session.flush()
    return track


def chosen_message(
    session: Session,
    process: Process,
    hassle_round: HassleRound,
    picked: list[HassleItem],
    now: datetime,
) -> Message:
    tr = Translator(process.language, process.timezone, now=now)
    heading = tr._("The challenges we work on")
    lines = tuple(f"{item_label(item)} {item.title} – {_becomes(tr, item)}" for item in picked)
    blocks: list[Block] = [
        Heading(heading),
        Paragraph(hassle_round.question),
        BulletList("", lines),
        Context(tr._("Chosen from the hassle round's results.")),
    ]
    return Message(f"{heading}\n" + "\n".join(lines), tuple(blocks), language=tr.language)


def _becomes(tr: Translator, item: HassleItem) -> str:
    if item.track_id is not None:
        return tr._("a new track")
    return tr._("a topic for a workshop")


def _chosen_news(item: HassleItem) -> News:
    def news(tr: Translator) -> str:
        return tr._(
            "It has been chosen as one of the challenges the process works on: {becomes}."
        ).format(becomes=_becomes(tr, item))

    return news


# --- what became of it ------------------------------------------------------------------------


def mark_command(deps: Deps, actor: PersonRef, channel: ChannelRef, argument: str) -> Reply:
    """`/samskab bøvl marker 12 brugt Vi har ændret skabelonen`: a bøvl's fate, with a note."""
    words = argument.split(maxsplit=2)
    status = MARK_WORDS.get(words[1].casefold()) if len(words) > 1 else None
    if status is None:
        raise Refused(
            N_(
                "Write it as: /samskab hassle mark 12 used Your note (considered, used, "
                "not-used); an anonymous hassle by its letters, e.g. B-KXR."
            )
        )
    note = words[2].strip() if len(words) > 2 else ""
    if len(note) > MAX_NOTE:
        raise Refused(N_("The note can be at most {limit} characters."), limit=MAX_NOTE)
    now = deps.clock()
    with deps.db.transaction() as session:
        who = acting(session, deps, actor, channel, role="facilitator")
        require_open(who.process)
        hassle_round = _closed_round(session, who.process)
        item = _find_item(session, hassle_round, words[0])
        if item is None:
            raise Refused(N_("There is no hassle {ref} in the round."), ref=words[0])
        mark_item(session, who, item, status, note, now)
        text = who.tr._("{ref} is marked {status}. Whoever wrote it is told.").format(
            ref=item_label(item), status=who.tr._(STATUS_NAMES[status])
        )
        return Reply(message=Message(text, language=who.tr.language))


def mark_item(
    session: Session, who: Acting, item: HassleItem, status: InputStatus, note: str, now: datetime
) -> None:
    if (status, note or None) == (item.status, item.status_note):
        return
    item.status, item.status_note, item.status_changed_at = status, note or None, now

    def news(tr: Translator) -> str:
        line = tr._("The facilitators have marked it: {status}.").format(
            status=tr._(STATUS_NAMES[status])
        )
        if note:
            line += " " + tr._("Their note: {note}").format(note=note)
        return line

    _tell_authors(session, who.process, item, now, news)
    audit.record(
        session,
        "hassle.marked",
        at=now,
        process=who.process,
        actor=who.person,
        item=item.id,
        status=status,
    )


def _find_item(session: Session, hassle_round: HassleRound, word: str) -> HassleItem | None:
    """ "12", "#12", "b-kxr": a named bøvl by its number, an anonymous one by its letters."""
    reference = word.strip().removeprefix("#")
    reference = reference if reference.isdecimal() else reference.upper()
    return session.scalar(
        select(HassleItem).where(
            HassleItem.round_id == hassle_round.id,
            HassleItem.reference == reference,
            HassleItem.shown_at.is_not(None),
        )
    )


# --- telling the authors ----------------------------------------------------------------------


def _tell_authors(
    session: Session,
    process: Process,
    item: HassleItem,
    now: datetime,
    news: News,
) -> None:
    """A DM to whoever wrote the bøvl or one merged into it: the facilitators never see to whom
    (an anonymous author is found only through the row, and only to be told)."""
    merged = session.scalars(select(HassleItem).where(HassleItem.merged_into_id == item.id)).all()
    for written in (item, *merged):
        if written.author_member_id is None:
            continue
        member = session.get(Member, written.author_member_id)
        if member is None or not member.active:
            continue
        tr = translator_for_member(member)
        heading = tr._("What became of your hassle {ref}").format(ref=item_label(written))
        said = news(tr)
        blocks: list[Block] = [Heading(heading), Paragraph(f"“{written.title}”")]
        if written is not item:
            blocks.append(
                Context(
                    tr._("It was merged into {ref} “{title}”.").format(
                        ref=item_label(item), title=item.title
                    )
                )
            )
        blocks.append(Paragraph(said))
        if written.anonymous:
            blocks.append(
                Context(tr._("Your hassle is still anonymous: only you get this message."))
            )
        enqueue(
            session,
            Message(f"{heading}: {said}", tuple(blocks), language=tr.language),
            key=f"hassle-fate:{written.id}:{item.status}:{now.isoformat()}",
            now=now,
            process=process,
            person=member.person,
        )


# --- helpers ----------------------------------------------------------------------------------


def _closed_round(session: Session, process: Process) -> HassleRound:
    hassle_round = latest_round(session, process)
    if hassle_round is None:
        return require_round(session, process)  # the refusal that says how to start one
    if hassle_round.phase != "closed":
        raise Refused(N_("The challenges can be chosen once voting has closed."))
    return hassle_round

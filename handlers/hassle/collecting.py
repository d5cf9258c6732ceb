"""Adding a bøvl: a short title, a few lines if wanted, named or anonymous. Before it is saved,
bøvl already on the list that look alike are offered ("Ligner #12 – støt den i stedet?"), so the
same one is supported rather than written twice.

A named bøvl gets the next number in its round and is shown at once. An anonymous one gets
random letters ("B-KXR") and waits, seen by nobody, until the round has bøvl from at least the
process's anonymity threshold of colleagues or its collection has ended; then all that waited are
shown at once, with no time of their own."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from handlers import audit
from handlers.context import ChannelRef, Deps, PersonRef
from handlers.form_reading import FormReader
from handlers.hassle.board import item_label, item_title, shown_items, update_board
from handlers.hassle.rounds import (
    collection_over,
    deadline_day,
    process_of,
    require_collecting,
    require_round,
    round_by_id,
)
from handlers.hassle.similar import most_similar
from handlers.i18n import Translator
from handlers.inputs.references import LENGTH, LETTERS, next_number
from handlers.messages import Form, FormField, FormOutcome, FormValues, Message, Option, Reply
from handlers.people import acting, ensure_person, require_member, require_open, translator_for
from storage.models import HassleItem, HassleParticipant, HassleRound, Member, Process

MAX_TITLE = 80
MAX_DESCRIPTION = 1000
ANONYMOUS = "B-"
ADD_ANYWAY = "add"
SAME = "same:"  # the option "it is the same as …", with the other's reference


# --- the form ---------------------------------------------------------------------------------


def add_command(deps: Deps, actor: PersonRef, channel: ChannelRef, argument: str) -> Reply:
    """`/samskab bøvl` (or `bøvl tilføj Titel`): the form, for anyone in the process while the
    round collects; a title typed after the command is filled in."""
    now = deps.clock()
    with deps.db.transaction() as session:
        who = acting(session, deps, actor, channel, role="present")
        require_open(who.process)
        hassle_round = require_round(session, who.process)
        require_collecting(who.tr, hassle_round, now)
        return Reply(form=add_form(who.tr, hassle_round, title=" ".join(argument.split())))


def add_button(deps: Deps, actor: PersonRef, value: str) -> Reply:
    """ "Tilføj bøvl" in the DM that asks, or on the board."""
    now = deps.clock()
    with deps.db.transaction() as session:
        person = ensure_person(session, actor)
        hassle_round = round_by_id(session, value)
        process = process_of(session, hassle_round)
        require_member(session, process, person)
        require_open(process)
        tr = translator_for(person, process, deps)
        require_collecting(tr, hassle_round, now)
        return Reply(form=add_form(tr, hassle_round))


def add_form(
    tr: Translator,
    hassle_round: HassleRound,
    *,
    title: str = "",
    description: str = "",
    anonymous: bool = False,
    alike: Sequence[HassleItem] = (),
) -> Form:
    """The form; with `alike`, its second step: the bøvl that look the same, and the choice to
    add this one anyway or support one of them instead."""
    fields: list[FormField] = []
    metadata = {"round": str(hassle_round.id)}
    intro = hassle_round.question
    if alike:
        metadata["checked"] = "1"
        intro = "\n".join(
            tr._("Looks like {item} – support it instead?").format(item=item_title(tr, item))
            for item in alike
        )
        fields.append(
            FormField(
                "similar",
                tr._("What would you like?"),
                "choice",
                initial=ADD_ANYWAY,
                options=(
                    Option(ADD_ANYWAY, tr._("Add mine anyway")),
                    *(
                        Option(
                            SAME + item.reference,
                            tr._(
                                "It is the same as {ref} – I will support it when voting opens"
                            ).format(ref=item_label(item)),
                        )
                        for item in alike
                    ),
                ),
            )
        )
    fields += [
        FormField(
            "title",
            tr._("Title"),
            "text",
            initial=title or None,
            max_length=MAX_TITLE,
            hint=tr._("Short: at most {limit} characters.").format(limit=MAX_TITLE),
        ),
        FormField(
            "description",
            tr._("Description"),
            "long_text",
            required=False,
            initial=description or None,
            max_length=MAX_DESCRIPTION,
            hint=tr._("At most {limit} characters.").format(limit=MAX_DESCRIPTION),
        ),
        FormField(
            "anonymous",
            tr._("Show my name?"),
            "choice",
            initial="anonymous" if anonymous else "named",
            options=(
                Option("named", tr._("Yes, with my name")),
                Option("anonymous", tr._("No, anonymously")),
            ),
        ),
    ]
    return Form(
        callback_id="hassle.add",
        title=tr._("Add a hassle"),
        submit_label=tr._("Add"),
        fields=tuple(fields),
        metadata=metadata,
        intro=intro,
        language=tr.language,
    )


# --- the submission ---------------------------------------------------------------------------


def submit_add(
    deps: Deps,
    actor: PersonRef,
    channel: ChannelRef | None,
    metadata: dict[str, str],
    values: FormValues,
) -> FormOutcome:
    """Look-alikes first (once); then the bøvl is stored, shown or held back, and the author
    told privately what happens to it."""
    now = deps.clock()
    with deps.db.transaction() as session:
        person = ensure_person(session, actor)
        hassle_round = round_by_id(session, metadata.get("round", ""), lock=True)
        process = process_of(session, hassle_round)
        require_open(process)
        member = require_member(session, process, person)
        tr = translator_for(person, process, deps)
        require_collecting(tr, hassle_round, now)
        checked = metadata.get("checked") == "1"
        form = FormReader(values)
        title = " ".join(form.text("title", max_length=MAX_TITLE).split())
        description = form.text("description", max_length=MAX_DESCRIPTION, required=False)
        anonymous = form.choice("anonymous", {"named", "anonymous"}) == "anonymous"
        shown = shown_items(session, hassle_round)
        choice = ADD_ANYWAY
        if checked:
            offered = {ADD_ANYWAY, *(SAME + i.reference for i in shown)}
            choice = form.choice("similar", offered, required=False) or ADD_ANYWAY
        form.check()
        if not checked:
            alike = _alike(shown, title)
            if alike:
                step = add_form(
                    tr,
                    hassle_round,
                    title=title,
                    description=description,
                    anonymous=anonymous,
                    alike=alike,
                )
                return FormOutcome(reply=Reply(form=step))
        if choice.startswith(SAME):
            same = next(i for i in shown if SAME + i.reference == choice)
            text = tr._(
                "Nothing was added: {item} is already on the list. Support it when voting opens; "
                "you will be told when it does."
            ).format(item=item_title(tr, same))
            return FormOutcome(reply=Reply(message=Message(text, language=tr.language)))
        item = _store(session, hassle_round, member, title, description, anonymous, now)
        release_waiting(session, process, hassle_round, now)
        update_board(session, process, hassle_round, now)
        audit.record(
            session,
            "hassle.added",
            at=now,
            process=process,
            actor=None if anonymous else person,
            round=hassle_round.id,
            anonymous=anonymous,
            # An anonymous bøvl's row id would place it in time among the others.
            **({} if anonymous else {"item": item.id}),
        )
        text = _thanks(tr, process, hassle_round, item)
        return FormOutcome(reply=Reply(message=Message(text, language=tr.language)))


def _alike(shown: Sequence[HassleItem], title: str) -> list[HassleItem]:
    """The bøvl on the list most like `title`; one merged into another stands for that one."""
    by_id = {i.id: i for i in shown}
    found = most_similar(title, ((i.id, i.title) for i in shown), most=len(shown) or 1)
    alike: list[HassleItem] = []
    for match in found:
        item = by_id[match.key]
        target = by_id.get(item.merged_into_id) if item.merged_into_id is not None else item
        if target is not None and target not in alike:
            alike.append(target)
    return alike[:3]


def _store(
    session: Session,
    hassle_round: HassleRound,
    member: Member,
    title: str,
    description: str,
    anonymous: bool,
    now: datetime,
) -> HassleItem:
    taken = set(
        session.scalars(select(HassleItem.reference).where(HassleItem.round_id == hassle_round.id))
    )
    item = HassleItem(
        round_id=hassle_round.id,
        reference=anonymous_reference(taken) if anonymous else next_number(set(taken)),
        title=title,
        description=description,
        author_member_id=member.id,
        anonymous=anonymous,
        created_at=now,
        shown_at=None if anonymous else now,
        supports=0,
        status="received",
        chosen=False,
    )
    session.add(item)
    participant = session.get(HassleParticipant, (hassle_round.id, member.id))
    if participant is None:  # someone who was not asked adds one too
        participant = HassleParticipant(
            round_id=hassle_round.id, member_id=member.id, asked=False, supported=False
        )
        session.add(participant)
    participant.added, participant.next_reminder_at = True, None
    session.flush()
    return item


def anonymous_reference(taken: set[str]) -> str:
    """Random letters not yet taken in the round, as anonymous input gets (handlers.inputs
    .references), with a B for bøvl."""
    attempt = 0
    while True:
        size = LENGTH + attempt // 20
        candidate = ANONYMOUS + "".join(secrets.choice(LETTERS) for _ in range(size))
        if candidate not in taken:
            return candidate
        attempt += 1


def _thanks(tr: Translator, process: Process, hassle_round: HassleRound, item: HassleItem) -> str:
    if not item.anonymous:
        return tr._("Thank you! Your hassle {item} is on the list in the channel.").format(
            item=item_title(tr, item)
        )
    if item.shown_at is not None:
        return tr._(
            "Thank you! Your hassle {item} is on the list in the channel, without your name."
        ).format(item=item_title(tr, item))
    return tr._(
        "Thank you! Your hassle {item} will be on the list without your name when at least {n} "
        "colleagues have added hassles, at the latest when the collection ends {date}, so that "
        "nobody can tell who wrote it."
    ).format(
        item=item_title(tr, item),
        n=process.anonymity_threshold,
        date=tr.date(deadline_day(hassle_round.collect_until, process.timezone)),
    )


# --- anonymity --------------------------------------------------------------------------------


def release_waiting(
    session: Session, process: Process, hassle_round: HassleRound, now: datetime
) -> int:
    """Show the anonymous bøvl waiting, all at once, if the round has bøvl from at least the
    process's threshold of colleagues or its collection has ended. Returns how many."""
    waiting = session.scalars(
        select(HassleItem).where(
            HassleItem.round_id == hassle_round.id, HassleItem.shown_at.is_(None)
        )
    ).all()
    if not waiting:
        return 0
    authors = session.scalar(
        select(func.count(func.distinct(HassleItem.author_member_id))).where(
            HassleItem.round_id == hassle_round.id, HassleItem.author_member_id.is_not(None)
        )
    )
    if (authors or 0) < process.anonymity_threshold and not collection_over(hassle_round, now):
        return 0
    for item in waiting:
        item.shown_at = now
    session.flush()
    return len(waiting)

"""Merging duplicates while the round collects (facilitators): the form that asks into which bøvl,
and its submission, which moves the bøvl and whatever was merged into it under the other. Its
author is told privately (handlers.hassle.telling); undoing a merge is in handlers.hassle.sorting."""

from __future__ import annotations

from sqlalchemy.orm import Session

from handlers import audit
from handlers.context import ChannelRef, Deps, PersonRef
from handlers.errors import Refused
from handlers.form_reading import FormReader
from handlers.hassle.board import item_label, item_title, shown_items, tops, update_board
from handlers.hassle.sorting import facilitating, require_top
from handlers.hassle.telling import tell_author
from handlers.i18n import N_
from handlers.messages import Form, FormField, FormOutcome, FormValues, Message, Option, Reply
from handlers.people import translator_for
from storage.models import HassleItem, HassleRound


def merge_form(deps: Deps, actor: PersonRef, value: str) -> Reply:
    """ "Slå sammen": into which bøvl."""
    with deps.db.transaction() as session:
        person, process, hassle_round, item = facilitating(session, deps, actor, value)
        tr = translator_for(person, process, deps)
        require_top(item)
        targets = _targets(session, hassle_round, item)
        return Reply(
            form=Form(
                callback_id="hassle.merge",
                title=tr._("Merge hassles"),
                submit_label=tr._("Merge"),
                intro=item_title(tr, item),
                metadata={"item": value},
                fields=(
                    FormField(
                        "into",
                        tr._("Merge into which hassle?"),
                        "choice",
                        initial=targets[0].reference,
                        options=tuple(
                            Option(t.reference, f"{item_label(t)} {t.title}") for t in targets
                        ),
                    ),
                ),
                language=tr.language,
            )
        )


def submit_merge(
    deps: Deps,
    actor: PersonRef,
    channel: ChannelRef | None,
    metadata: dict[str, str],
    values: FormValues,
) -> FormOutcome:
    now = deps.clock()
    value = metadata.get("item", "")
    with deps.db.transaction() as session:
        person, process, hassle_round, item = facilitating(session, deps, actor, value, lock=True)
        tr = translator_for(person, process, deps)
        require_top(item)
        targets = {t.reference: t for t in _targets(session, hassle_round, item)}
        form = FormReader(values)
        into = form.choice("into", set(targets))
        form.check()
        target = targets[into]
        moved = [i for i in shown_items(session, hassle_round) if i.merged_into_id == item.id]
        for other in (item, *moved):  # what was merged into it goes along
            other.merged_into_id = target.id
        session.flush()
        tell_author(
            session,
            process,
            item,
            now,
            heading=N_("Your hassle {item} has been merged"),
            text=N_(
                "The facilitators have merged it with {target}, which says the same. When voting "
                "opens, you can support {ref}."
            ),
            target=target,
        )
        update_board(session, process, hassle_round, now)
        audit.record(
            session,
            "hassle.merged",
            at=now,
            process=process,
            actor=person,
            round=hassle_round.id,
            item=item.id,
            into=target.id,
        )
        text = tr._("{item} is merged into {target}. Its author is told.").format(
            item=item_label(item), target=item_title(tr, target)
        )
        return FormOutcome(reply=Reply(message=Message(text, language=tr.language)))


def _targets(session: Session, hassle_round: HassleRound, item: HassleItem) -> list[HassleItem]:
    targets = [
        t
        for t in tops(shown_items(session, hassle_round))
        if t.id != item.id and t.out_of_scope_reason is None
    ]
    if not targets:
        raise Refused(N_("There is no other hassle on the list to merge it into."))
    return targets

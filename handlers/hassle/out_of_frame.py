"""Placing a bøvl outside the frame of the process while the round collects (facilitators): the
form that asks why, and its submission. The bøvl and those merged into it leave the voting, and
each author is told the reason privately (handlers.hassle.telling); undoing it is in
handlers.hassle.sorting."""

from __future__ import annotations

from handlers import audit
from handlers.context import ChannelRef, Deps, PersonRef
from handlers.form_reading import FormReader
from handlers.hassle.board import item_label, item_title, shown_items, update_board
from handlers.hassle.sorting import facilitating, require_top
from handlers.hassle.telling import tell_author
from handlers.i18n import N_
from handlers.messages import Form, FormField, FormOutcome, FormValues, Message, Reply
from handlers.people import translator_for

MAX_REASON = 500


def scope_form(deps: Deps, actor: PersonRef, value: str) -> Reply:
    """ "Uden for rammen": the reason, which the author is told."""
    with deps.db.transaction() as session:
        person, process, _round, item = facilitating(session, deps, actor, value)
        tr = translator_for(person, process, deps)
        require_top(item)
        return Reply(
            form=Form(
                callback_id="hassle.scope",
                title=tr._("Outside the frame"),
                submit_label=tr._("Save"),
                intro=item_title(tr, item),
                metadata={"item": value},
                fields=(
                    FormField(
                        "reason",
                        tr._("Why is it outside the frame of the process?"),
                        "long_text",
                        max_length=MAX_REASON,
                        hint=tr._("The author is told your reason."),
                    ),
                ),
                language=tr.language,
            )
        )


def submit_scope(
    deps: Deps,
    actor: PersonRef,
    channel: ChannelRef | None,
    metadata: dict[str, str],
    values: FormValues,
) -> FormOutcome:
    now = deps.clock()
    with deps.db.transaction() as session:
        person, process, hassle_round, item = facilitating(
            session, deps, actor, metadata.get("item", ""), lock=True
        )
        tr = translator_for(person, process, deps)
        require_top(item)
        form = FormReader(values)
        reason = form.text("reason", max_length=MAX_REASON)
        form.check()
        item.out_of_scope_reason = reason
        session.flush()
        merged = [i for i in shown_items(session, hassle_round) if i.merged_into_id == item.id]
        for told in (item, *merged):
            tell_author(
                session,
                process,
                told,
                now,
                heading=N_("You said – we did: your hassle {item}"),
                text=N_(
                    "The facilitators have placed it outside the frame of the process, so it is "
                    "not part of the voting. Their reason: {reason}"
                ),
                reason=reason,
            )
        update_board(session, process, hassle_round, now)
        audit.record(
            session,
            "hassle.out_of_scope",
            at=now,
            process=process,
            actor=person,
            round=hassle_round.id,
            item=item.id,
        )
        text = tr._("{item} is placed outside the frame. Its author is told the reason.").format(
            item=item_label(item)
        )
        return FormOutcome(reply=Reply(message=Message(text, language=tr.language)))

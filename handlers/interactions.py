"""Forms submitted and buttons pressed: the route from a callback or action id to a use case."""

from __future__ import annotations

from handlers.context import ChannelRef, Deps, PersonRef
from handlers.errors import Refused
from handlers.form_reading import Invalid
from handlers.i18n import N_
from handlers.inputs import lifecycle
from handlers.inputs.giving import (
    decline_input,
    give_input,
    request_input_form,
    summary_input_form,
)
from handlers.messages import FormOutcome, FormValues, Message, Reply
from handlers.people import actor_translator
from handlers.privacy import own_data
from handlers.process import closing
from handlers.process.setup import submit_setup
from handlers.pulse import asking
from handlers.workshops.planning import plan_workshop
from handlers.workshops.summaries import pick_workshop, post_workshop_summary

FORM_CALLBACKS = (
    "setup",
    "workshop",
    "summary.pick",
    "summary",
    "input",
    "input.mark",
    "pulse.comment",
    "forget-me",
    "close",
)
BUTTON_ACTIONS = (
    "input.open",
    "input.request",
    "input.decline",
    "input.mark",
    "pulse.answer",
    "pulse.comment",
)


def submit_form(
    deps: Deps,
    actor: PersonRef,
    channel: ChannelRef | None,
    callback_id: str,
    metadata: dict[str, str],
    values: FormValues,
) -> FormOutcome:
    """Errors on fields keep the form open with the message beside the field; a refusal that is
    not about a field closes it with the explanation."""
    try:
        return _route_form(deps, actor, channel, callback_id, metadata, values)
    except Invalid as invalid:
        tr = actor_translator(deps, actor, channel)
        return FormOutcome(
            errors={
                field: tr._(message).format(**params)
                for field, (message, params) in invalid.errors.items()
            }
        )
    except Refused as refusal:
        tr = actor_translator(deps, actor, channel)
        text = tr._(refusal.message).format(**refusal.params)
        if refusal.field:
            return FormOutcome(errors={refusal.field: text})
        return FormOutcome(reply=Reply(message=Message(text, language=tr.language)))


def _route_form(
    deps: Deps,
    actor: PersonRef,
    channel: ChannelRef | None,
    callback_id: str,
    metadata: dict[str, str],
    values: FormValues,
) -> FormOutcome:
    if callback_id == "input":
        return give_input(deps, actor, metadata, values)
    if callback_id == "input.mark":
        return lifecycle.submit_mark(deps, actor, metadata, values)
    if callback_id == "pulse.comment":
        return asking.submit_comment(deps, actor, metadata, values)
    if callback_id == "forget-me":
        return own_data.submit_forget_me(deps, actor, metadata, values)
    if channel is None:
        # Every other form was opened in a process's channel and says which one; this one
        # does not (an altered or foreign submission).
        raise Refused(N_("This form belongs to a process's channel: open it again there."))
    if callback_id == "close":
        return closing.submit_close(deps, actor, channel, values)
    if callback_id == "setup":
        return submit_setup(deps, actor, channel, values)
    if callback_id == "workshop":
        return plan_workshop(deps, actor, channel, values)
    if callback_id == "summary.pick":
        return pick_workshop(deps, actor, channel, values)
    if callback_id == "summary":
        return post_workshop_summary(deps, actor, channel, values, metadata.get("workshop", ""))
    raise ValueError(f"unknown form {callback_id!r}")


def press_button(deps: Deps, actor: PersonRef, action_id: str, value: str) -> Reply:
    try:
        if action_id == "input.open":
            return summary_input_form(deps, actor, value)
        if action_id == "input.request":
            return request_input_form(deps, actor, value)
        if action_id == "input.decline":
            return decline_input(deps, actor, value)
        if action_id == "input.mark":
            return lifecycle.mark_form(deps, actor, value)
        if action_id == "pulse.answer":
            return asking.answer_pulse(deps, actor, value)
        if action_id == "pulse.comment":
            return asking.comment_form(deps, actor, value)
        raise ValueError(f"unknown action {action_id!r}")
    except Refused as refusal:
        tr = actor_translator(deps, actor, None)
        return Reply(
            message=Message(tr._(refusal.message).format(**refusal.params), language=tr.language)
        )

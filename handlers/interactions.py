"""Forms submitted and buttons pressed: the route from a callback or action id to a use case."""

from __future__ import annotations

from dataclasses import replace

from handlers.commands import BUTTONS, FORMS
from handlers.context import ChannelRef, Deps, PersonRef
from handlers.errors import Refused
from handlers.form_reading import Invalid
from handlers.i18n import N_
from handlers.messages import FormOutcome, FormValues, Message, Reply
from handlers.people import actor_translator, resolve_channel

# What the adapters listen for: every form and button of the table of commands.
FORM_CALLBACKS = tuple(FORMS)
BUTTON_ACTIONS = tuple(BUTTONS)


def submit_form(
    deps: Deps,
    actor: PersonRef,
    channel: ChannelRef | None,
    callback_id: str,
    metadata: dict[str, str],
    values: FormValues,
) -> FormOutcome:
    """Errors on fields keep the form open with the message beside the field; a refusal that is
    not about a field closes it with the explanation. The outcome names the process channel it
    acted in, for the adapter's follow-ups."""
    if channel is not None:
        channel = resolve_channel(deps, actor, channel)
    try:
        outcome = _route_form(deps, actor, channel, callback_id, metadata, values)
        return replace(outcome, channel=channel)
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
    form = FORMS.get(callback_id)
    if form is None:
        raise ValueError(f"unknown form {callback_id!r}")
    if form.needs_channel and channel is None:
        # The form was opened in a process's channel and says which one; this submission does
        # not (an altered or foreign one).
        raise Refused(N_("This form belongs to a process's channel: open it again there."))
    return form.submit(deps, actor, channel, metadata, values)


def press_button(deps: Deps, actor: PersonRef, action_id: str, value: str) -> Reply:
    button = BUTTONS.get(action_id)
    if button is None:
        raise ValueError(f"unknown action {action_id!r}")
    try:
        return button.press(deps, actor, value)
    except Refused as refusal:
        tr = actor_translator(deps, actor, None)
        return Reply(
            message=Message(tr._(refusal.message).format(**refusal.params), language=tr.language)
        )

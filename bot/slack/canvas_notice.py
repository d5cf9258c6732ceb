"""When a workspace cannot have the "Hvor er vi?" canvas (its plan, an admin's setting, or the
app's permissions), the process's facilitators hear it once, and the bot stops trying for that
process: everything else carries on as before."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import update

from bot.slack.canvas_claims import CanvasClaim
from handlers.i18n import N_, Translator
from handlers.messages import Context, Message, Paragraph
from handlers.outbox import enqueue
from handlers.people import active_members, translator_for_member
from storage.db import Database, run_bulk
from storage.models import Process, StatusCanvas

_PLAN = N_("the workspace's Slack plan does not allow channel canvases")
_PERMISSION = N_(
    "the Samskab app is not allowed to edit canvases (an administrator can reinstall it from "
    "the current app manifest)"
)
# Slack's errors that waiting does not cure, and why, as a facilitator reads it.
REASONS = {
    "canvas_disabled_user_team": N_("canvases are turned off in this workspace"),
    "team_tier_cannot_create_channel_canvases": _PLAN,
    "free_teams_cannot_create_non_tabbed_canvases": _PLAN,
    "free_team_canvas_tab_already_exists": _PLAN,
    "free_teams_cannot_edit_standalone_canvases": _PLAN,
    "missing_scope": _PERMISSION,
    "not_allowed_token_type": _PERMISSION,
    "restricted_action": N_("Samskab is not allowed to change this channel's canvas"),
    "access_denied": N_("Samskab is not allowed to change this channel's canvas"),
    "ekm_access_denied": N_("Samskab is not allowed to change this channel's canvas"),
}


def give_up(db: Database, claim: CanvasClaim, reason: str, now: datetime) -> bool:
    """Records why, and tells the facilitators in the same transaction; False when another
    replica recorded it first (then it told them)."""
    with db.transaction() as session:
        recorded = run_bulk(
            session,
            update(StatusCanvas)
            .where(
                StatusCanvas.process_id == claim.process_id,
                StatusCanvas.claim_token == claim.token,
                StatusCanvas.unavailable.is_(None),
            )
            .values(unavailable=reason, unavailable_at=now, claim_token=None, claimed_until=None),
        )
        process = session.get(Process, claim.process_id)
        if not recorded or process is None:
            return False
        for facilitator in (m for m in active_members(process) if m.is_facilitator):
            tr = translator_for_member(facilitator)
            enqueue(
                session,
                _message(tr, process.name, reason),
                # Once per process and facilitator, whatever retries or replicas do.
                key=f"canvas-unavailable:{process.id}:{facilitator.id}",
                now=now,
                process=process,
                person=facilitator.person,
            )
        return True


def _message(tr: Translator, name: str, reason: str) -> Message:
    why = tr._(REASONS[reason]) if reason in REASONS else reason
    text = tr._(
        "Samskab cannot keep a “Where are we?” canvas in the channel of “{name}”: {why}."
    ).format(name=name, why=why)
    carry_on = tr._(
        "Samskab carries on without it: the status updates and everything else work as before, "
        "and /samskab status shows where the process is."
    )
    return Message(f"{text} {carry_on}", (Paragraph(text), Context(carry_on)), language=tr.language)

"""The process's channel canvas, "Hvor er vi?" / "Where are we?", kept current by the bot.

The first edit creates it (`conversations.canvases.create`, titled in the process's language,
the whole document). Later edits replace only the bot's own sections: each is found by its
heading (`canvases.sections.lookup`) and replaced (`canvases.edit`, one change a call, as Slack
allows), or added at the end if someone removed it; whatever people wrote under headings of
their own stays. Only the sections that changed since the last edit are sent. A channel that
already has a canvas gets the bot's sections added to it.

The scheduler's job (schedules.jobs.run_canvases) runs `keep_canvases` every few seconds; the
database says which canvases are due (bot.slack.canvas_claims): at most one edit a minute per
process, soon after a change that matters. A 429 or an outage is tried again later; a plan or
permission error is told once to the facilitators and not tried again (bot.slack.canvas_notice).
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from collections.abc import Callable
from datetime import timedelta
from functools import partial
from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.slack.canvas_claims import (
    CanvasClaim,
    CanvasWork,
    canvas_made,
    claim_due,
    edited,
    read_work,
    try_again,
)
from bot.slack.canvas_markdown import CanvasDocument, CanvasSection, render_canvas
from bot.slack.canvas_notice import REASONS, give_up
from bot.slack.directory import FAILURES, SLACK
from bot.slack.patience import Patience, slack_error
from handlers.context import Deps
from schedules.shared_pace import SharedPace

log = logging.getLogger(__name__)

# Slack's tiers for the canvas methods (calls a minute), kept by every replica together.
TIERS: dict[str, float] = {
    "conversations.canvases.create": 20,  # Tier 2
    "conversations.info": 50,  # Tier 3
    "canvases.sections.lookup": 50,  # Tier 3
    "canvases.edit": 50,  # Tier 3
}
SECTIONS_AT_ONCE = 10.0  # Slack's tiers allow short bursts; one edit is one call a section
OUTAGE_WAIT = timedelta(minutes=1)  # after a 5xx or no answer: tried again then
ODD_WAIT = timedelta(minutes=15)  # after an error we did not expect: logged, tried again later
GONE = frozenset({"canvas_not_found", "canvas_deleted", "file_not_found", "file_deleted"})


def canvas_patience(deps: Deps) -> Patience:
    """One attempt a call: a 429 makes the canvas wait (its row says until when) instead of
    holding the job; the tiers are shared by replicas, so they rarely see one."""
    # A burst of a whole edit: a canvas's eight sections go at once, then the tier's pace.
    return Patience(attempts=1, pace=SharedPace(deps.db), tiers=TIERS, burst=SECTIONS_AT_ONCE)


class _Refused(Exception):
    """A canvas call that failed: Slack's error code, whether waiting may cure it, and how long
    Slack asked us to wait."""

    def __init__(
        self, code: str, retry_after: float | None = None, *, transient: bool = False
    ) -> None:
        super().__init__(code)
        self.code, self.retry_after, self.transient = code, retry_after, transient


async def keep_canvases(deps: Deps, client: AsyncWebClient, patience: Patience) -> int:
    """Creates or edits every due canvas this replica could claim. Returns how many it made or
    edited; never raises for Slack's sake."""
    now = deps.clock()
    claims = await asyncio.to_thread(claim_due, deps.db, SLACK, now)
    done = 0
    for claim in claims:
        try:
            done += await _keep(deps, client, patience, claim)
        except Exception:  # one process's canvas never stops the others, nor the scheduler
            log.exception("the canvas of process %s could not be kept", claim.process_id)
            await asyncio.to_thread(try_again, deps.db, claim, deps.clock() + ODD_WAIT)
    return done


async def _keep(deps: Deps, client: AsyncWebClient, patience: Patience, claim: CanvasClaim) -> int:
    now = deps.clock()
    work = await asyncio.to_thread(read_work, deps.db, claim, now)
    if work is None:
        return 0
    document = render_canvas(work.page)
    digests = tuple(_digest(s) for s in document.sections)
    if work.canvas_id is None and work.page.status == "erased":
        # An erased process only has its canvas rewritten without names; none is made for it.
        await asyncio.to_thread(edited, deps.db, work, deps.clock(), digests)
        return 0
    call = partial(_call, client, patience)
    try:
        if work.canvas_id is None:
            canvas_id = await _create(call, work.channel_id, document)
            await asyncio.to_thread(canvas_made, deps.db, claim, canvas_id)
            if canvas_id is not None:  # made with the whole document
                await asyncio.to_thread(edited, deps.db, work, deps.clock(), digests)
                return 1
            # The channel had a canvas of its own: the bot's sections are added to it below.
            canvas_id = await _channel_canvas(call, work.channel_id)
            await asyncio.to_thread(canvas_made, deps.db, claim, canvas_id)
            work_digests: tuple[str, ...] = ()
        else:
            canvas_id, work_digests = work.canvas_id, work.digests
        for section, digest in zip(document.sections, digests, strict=True):
            if digest not in work_digests:
                await _put_section(call, canvas_id, section)
    except _Refused as refused:
        return await _failed(deps, work, refused)
    await asyncio.to_thread(edited, deps.db, work, deps.clock(), digests)
    return 1


async def _failed(deps: Deps, work: CanvasWork, refused: _Refused) -> int:
    now, claim = deps.clock(), work.claim
    if refused.code in REASONS:
        log.warning("process %s cannot have a canvas: %s", claim.process_id, refused.code)
        await asyncio.to_thread(give_up, deps.db, claim, refused.code, now)
        return 0
    if refused.code in GONE and work.canvas_id is not None:
        # Someone deleted the canvas: a new one is made at once.
        log.info("the canvas of process %s is gone; making a new one", claim.process_id)
        await asyncio.to_thread(canvas_made, deps.db, claim, None)
        await asyncio.to_thread(try_again, deps.db, claim, now)
        return 0
    if refused.transient:
        wait = (
            timedelta(seconds=refused.retry_after)
            if refused.retry_after is not None
            else OUTAGE_WAIT
        )
        log.info(
            "canvas of process %s: %s, tried again in %s", claim.process_id, refused.code, wait
        )
        await asyncio.to_thread(try_again, deps.db, claim, now + wait)
        return 0
    log.warning("canvas of process %s: Slack answered %s", claim.process_id, refused.code)
    await asyncio.to_thread(try_again, deps.db, claim, now + ODD_WAIT)
    return 0


Call = Callable[[str, Callable[..., Any]], Any]


async def _create(call: Call, channel_id: str, document: CanvasDocument) -> str | None:
    """The new canvas's id; None when the channel has one already."""
    try:
        answer = await call(
            "conversations.canvases.create",
            lambda c: c.conversations_canvases_create(
                channel_id=channel_id,
                title=document.title,
                document_content={"type": "markdown", "markdown": document.markdown},
            ),
        )
    except _Refused as refused:
        if refused.code == "channel_canvas_already_exists":
            return None
        raise
    return str(answer["canvas_id"])


async def _channel_canvas(call: Call, channel_id: str) -> str:
    answer = await call("conversations.info", lambda c: c.conversations_info(channel=channel_id))
    canvas = ((answer.get("channel") or {}).get("properties") or {}).get("canvas") or {}
    if not canvas.get("file_id"):
        raise _Refused("canvas_not_found")
    return str(canvas["file_id"])


async def _put_section(call: Call, canvas_id: str, section: CanvasSection) -> None:
    answer = await call(
        "canvases.sections.lookup",
        lambda c: c.canvases_sections_lookup(
            canvas_id=canvas_id,
            criteria={"section_types": ["h2"], "contains_text": section.heading},
        ),
    )
    found = [str(s["id"]) for s in answer.get("sections") or [] if s.get("id")]
    content = {"type": "markdown", "markdown": section.markdown}
    # The first match is the bot's: its sections were there before anyone added a heading
    # that happens to contain the same words.
    change: dict[str, Any] = (
        {"operation": "replace", "section_id": found[0], "document_content": content}
        if found
        else {"operation": "insert_at_end", "document_content": content}
    )
    await call("canvases.edit", lambda c: c.canvases_edit(canvas_id=canvas_id, changes=[change]))


async def _call(
    client: AsyncWebClient, patience: Patience, method: str, make: Callable[..., Any]
) -> Any:
    """Slack's answer, or _Refused with its error code and whether waiting may cure it."""
    try:
        return await patience.call(method, lambda: make(client))
    except FAILURES as error:
        raise _refused(error) from None


def _refused(error: Exception) -> _Refused:
    if not isinstance(error, SlackApiError):
        return _Refused(slack_error(error), transient=True)  # no answer: Slack may be back soon
    response = error.response
    status = getattr(response, "status_code", 0) or 0
    code = slack_error(error)
    if status == 429 or code == "ratelimited":
        headers = {k.lower(): v for k, v in dict(getattr(response, "headers", {}) or {}).items()}
        try:
            retry_after = float(headers.get("retry-after", ""))
        except ValueError:
            retry_after = None
        return _Refused(code, retry_after, transient=True)
    transient = status >= 500 or code in ("internal_error", "fatal_error", "service_unavailable")
    return _Refused(code, transient=transient)


def _digest(section: CanvasSection) -> str:
    return hashlib.sha256(section.markdown.encode()).hexdigest()[:12]

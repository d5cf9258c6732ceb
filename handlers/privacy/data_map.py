"""Where a person's data lives, declared once: one entry per table that holds rows about a
person, saying how a row belongs to them, what `mydata` shows of it, what `forget-me` does with
it and what retention does once its process has been closed long enough. The three use cases
(handlers.privacy.personal_data, .erasure, .retention) read this map and nothing else, so a new
table is one entry here (tests/scenarios/test_personal_data_map.py fails until it has one).

A platform's own tables are not named here: each declares itself in its table's `info`
(storage.models.personal.ByUserId), and the adapter may give it a heading in the readable
message (`name_platform_table`). The kinds of entry and action: handlers.privacy.personal_table."""

from __future__ import annotations

from functools import partial
from typing import Any

from sqlalchemy import Table

from handlers.i18n import N_, Translator
from handlers.privacy import shown
from handlers.privacy.personal_table import (
    AsAuthorChooses,
    Counted,
    Delete,
    Keep,
    Listed,
    MoveToStandIn,
    PersonalTable,
    Scrub,
    Tallied,
    Unlink,
    labelled,
)
from handlers.privacy.shown import ProcessNames, Row
from storage.models import (
    AuditEntry,
    Base,
    HassleItem,
    HassleParticipant,
    HassleRound,
    Input,
    InputRequest,
    Invitation,
    ItemChange,
    Member,
    OutboxMessage,
    Person,
    Pulse,
    PulseAnswer,
    Subscription,
    Summary,
    SummaryItem,
    Workshop,
)
from storage.models.personal import ByUserId, by_user_id

# Tables that hold nobody's personal data: the record of a process and the bot's bookkeeping.
NOT_PERSONAL = frozenset(
    {
        "processes",
        "tracks",
        "workshops",
        "summary_items",
        "step_changes",
        "pulses",
        "digest_runs",
        "processed_events",
        "inbox",  # a request only until its work is done, then deleted
        "workers",  # delivery workers' heartbeats: a boot id and times
        "pace_buckets",  # the shared pace of each platform: tokens and a rate
        "status_canvases",  # a channel canvas's id and when it is due: the process's, no one's
        # Sealed under a key the database does not hold (bot.ballot_key): without it a ballot
        # names neither its voter nor its dots; all of a round's go when its voting closes.
        "hassle_ballots",
    }
)


def _message_language(message: OutboxMessage) -> str:
    return str(message.payload.get("language", "da"))


# --- the map -------------------------------------------------------------------------------

CORE = (
    PersonalTable(
        "person",
        Person,
        Person.id,
        "self",
        shown=shown.person,
        readable=None,  # the message's opening fields
        forget=Delete(),
        retain=Keep(),
    ),
    PersonalTable(
        "memberships",
        Member,
        Member.person_id,
        "person",
        shown=shown.membership,
        readable=Listed(N_("Memberships"), shown.membership_line),
        # Each membership moves to a blank stand-in, inactive (asked, reminded and listed
        # nowhere), with what the record counts of it: invitations, requests, pulse answers.
        forget=MoveToStandIn(
            Counted(
                "memberships",
                lambda tr, n: tr.ngettext(
                    "{n} membership of a process", "{n} memberships of processes", n
                ),
            ),
            {"active": False},
        ),
        retain=MoveToStandIn(
            Counted("members", labelled(N_("members made anonymous"))), {"active": False}
        ),
        in_process=(Member.process_id,),
        order_by=(Member.joined_at,),
    ),
    PersonalTable(
        "summaries_written",
        Summary,
        Summary.author_member_id,
        "member",
        shown=shown.summary,
        readable=Listed(N_("Summaries you wrote"), shown.summary_line),
        forget=Unlink(),
        retain=Unlink(Counted("summaries_unlinked", labelled(N_("summaries without author")))),
        in_process=(Summary.workshop_id, Workshop.process_id),
        order_by=(Summary.posted_at,),
    ),
    PersonalTable(
        "item_changes",
        ItemChange,
        ItemChange.by_member_id,
        "member",
        shown=shown.item_change,
        readable=Listed(N_("Open questions and decisions you marked"), shown.item_change_line),
        # The answer stays in the record; who gave it goes, as with a summary's author.
        forget=Unlink(),
        retain=Unlink(
            Counted("item_changes_unlinked", labelled(N_("item changes without author")))
        ),
        in_process=(
            ItemChange.item_id,
            SummaryItem.summary_id,
            Summary.workshop_id,
            Workshop.process_id,
        ),
        order_by=(ItemChange.at,),
    ),
    PersonalTable(
        "workshop_invitations",
        Invitation,
        Invitation.member_id,
        "member",
        shown=shown.invitation,
        readable=Listed(N_("Invitations to workshops"), shown.invitation_line),
        # Attendance is the record's: those of held workshops stay with the membership's
        # stand-in; those to workshops still to come go.
        forget=Delete(
            Counted(
                "invitations",
                lambda tr, n: tr.ngettext(
                    "{n} invitation to a workshop", "{n} invitations to workshops", n
                ),
            ),
            only=(Invitation.attended.is_(None),),
        ),
        retain=Keep(),
        join=(Workshop,),
        order_by=(Workshop.starts_at,),
    ),
    PersonalTable(
        "input_requests",
        InputRequest,
        InputRequest.member_id,
        "member",
        shown=shown.request,
        readable=Listed(N_("Requests for your input"), shown.request_line),
        # The reach of each summary: they stay with the membership's stand-in, reminded no more.
        forget=Keep({"next_reminder_at": None}),
        retain=Keep(),
        order_by=(InputRequest.created_at,),
    ),
    PersonalTable(
        "inputs",
        Input,
        Input.author_member_id,
        "member",
        shown=shown.contribution,
        readable=Listed(N_("Your input"), shown.contribution_line),
        forget=AsAuthorChooses(
            deleted=Counted(
                "inputs_deleted",
                lambda tr, n: tr.ngettext(
                    "{n} input with your name, deleted", "{n} inputs with your name, deleted", n
                ),
            ),
            kept=Counted(
                "inputs_anonymised",
                lambda tr, n: tr.ngettext(
                    "{n} input kept without a link to you",
                    "{n} inputs kept without a link to you",
                    n,
                ),
            ),
        ),
        retain=Unlink(
            Counted("inputs_unlinked", labelled(N_("inputs made anonymous"))), {"anonymous": True}
        ),
        in_process=(Input.process_id,),
        order_by=(Input.created_at,),
    ),
    PersonalTable(
        "hassle_items",
        HassleItem,
        HassleItem.author_member_id,
        "member",
        shown=shown.hassle_item,
        readable=Listed(N_("Hassles you added"), shown.hassle_item_line),
        # The bøvl stays on the round's list, as everyone's; only the link to them goes.
        forget=Unlink(
            Counted(
                "hassle_items_unlinked",
                lambda tr, n: tr._("Hassles kept without a link to you: {n}"),
            )
        ),
        retain=Unlink(Counted("hassle_items_unlinked", labelled(N_("hassles without author")))),
        in_process=(HassleItem.round_id, HassleRound.process_id),
        order_by=(HassleItem.created_at,),
    ),
    PersonalTable(
        "hassle_participation",
        HassleParticipant,
        HassleParticipant.member_id,
        "member",
        shown=shown.hassle_participation,
        readable=None,  # in the file: whether they were asked, added, supported (never what)
        # The round's participation figures: they stay with the membership's stand-in.
        forget=Keep({"next_reminder_at": None}),
        retain=Keep(),
        in_process=(HassleParticipant.round_id, HassleRound.process_id),
        order_by=(HassleParticipant.round_id,),
    ),
    PersonalTable(
        "hassle_rounds_started",
        HassleRound,
        HassleRound.started_by_member_id,
        "member",
        shown=shown.hassle_round_started,
        readable=None,  # in the file; the audit log lists it too
        forget=Unlink(),
        retain=Unlink(),
        in_process=(HassleRound.process_id,),
        order_by=(HassleRound.started_at,),
    ),
    PersonalTable(
        "pulse_answers",
        PulseAnswer,
        PulseAnswer.person_id,
        "person",
        shown=shown.pulse_answer,
        readable=Listed(N_("Your answers to the pulse"), shown.pulse_answer_line),
        # The score counts for the membership's stand-in; the comment, their words, goes.
        forget=MoveToStandIn(
            Counted(
                "pulse_answers",
                lambda tr, n: tr.ngettext("{n} answer to the pulse", "{n} answers to the pulse", n),
            ),
            {"comment": None},
        ),
        retain=MoveToStandIn(
            Counted("pulse_answers", labelled(N_("pulse answers made anonymous"))),
            {"comment": None},
        ),
        in_process=(PulseAnswer.pulse_id, Pulse.process_id),
        order_by=(PulseAnswer.answered_at,),
    ),
    PersonalTable(
        "digest_subscriptions",
        Subscription,
        Subscription.person_id,
        "person",
        shown=shown.subscription,
        readable=Listed(N_("Status updates you subscribe to"), shown.subscription_line),
        forget=Delete(
            Counted(
                "subscriptions",
                lambda tr, n: tr.ngettext(
                    "{n} subscription to the status update",
                    "{n} subscriptions to the status update",
                    n,
                ),
            )
        ),
        retain=Delete(Counted("subscriptions", labelled(N_("subscriptions")))),
        in_process=(Subscription.process_id,),
        order_by=(Subscription.created_at,),
    ),
    PersonalTable(
        "audit_entries",
        AuditEntry,
        AuditEntry.actor_person_id,
        "person",
        shown=shown.audit_entry,
        readable=Listed(N_("What you did, in the log"), shown.audit_entry_line),
        forget=Unlink(Counted("audit_entries_unlinked")),
        retain=Unlink(
            Counted("audit_entries_unlinked", labelled(N_("log entries without person")))
        ),
        in_process=(AuditEntry.process_id,),
        scrub=Scrub(("detail",)),
        order_by=(AuditEntry.at, AuditEntry.id),
    ),
    PersonalTable(
        "messages_to_you",
        OutboxMessage,
        OutboxMessage.person_id,
        "person",
        shown=shown.message,
        readable=Tallied(shown.messages_paragraph),
        # Every message to them, sent or waiting: the sent ones are copies of what they received.
        forget=Delete(
            Counted(
                "messages",
                lambda tr, n: tr.ngettext("{n} message to you", "{n} messages to you", n),
            )
        ),
        retain=Delete(Counted("outbox_messages", labelled(N_("stored messages")))),
        in_process=(OutboxMessage.process_id,),
        # What was sent stays on the platform; our copy no longer names them.
        scrub=Scrub(
            ("payload", "last_error"),
            language=_message_language,
            counted=Counted(
                "messages_scrubbed",
                lambda tr, n: tr.ngettext(
                    "your name removed from {n} message in the channels",
                    "your name removed from {n} messages in the channels",
                    n,
                ),
            ),
        ),
        order_by=(OutboxMessage.id,),
    ),
)


def personal_tables() -> tuple[PersonalTable, ...]:
    """Every table with rows about a person: the bot's own, then each platform's."""
    return CORE + tuple(
        _platform_table(table, declared)
        for table in Base.metadata.sorted_tables
        if (declared := by_user_id(table)) is not None
    )


# --- a platform's tables -------------------------------------------------------------------

_HEADINGS: dict[str, str] = {}


def name_platform_table(table: str, heading: str) -> None:
    """The heading of a platform's table in the readable message: the adapter's own words,
    marked where it calls this. Until then the table's name stands there."""
    _HEADINGS[table] = heading


def _platform_table(table: Table, declared: ByUserId) -> PersonalTable:
    model = next(m.class_ for m in Base.registry.mappers if m.local_table is table)
    return PersonalTable(
        table.name,
        model,
        getattr(model, declared.user_id),
        "user_id",
        shown=partial(_platform_row, declared),
        readable=Listed(_HEADINGS.get(table.name, table.name), partial(_platform_line, declared)),
        forget=Delete(Counted(table.name)),
        retain=Keep(),
        where=tuple(getattr(model, column) == value for column, value in declared.where.items()),
        order_by=tuple(table.primary_key.columns),
    )


def _platform_row(declared: ByUserId, row: Any, names: ProcessNames) -> Row:
    return {name: getattr(row, column) for name, column in declared.shown.items()}


def _platform_line(declared: ByUserId, tr: Translator, r: Row) -> str:
    return " · ".join(str(r[name]) if r[name] not in (None, "") else "–" for name in declared.line)

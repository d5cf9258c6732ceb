"""Conversation references: where and how to reach a Teams person or channel proactively.

Storing them is bookkeeping (storage.request_in_hand): stored again when an activity is done
again, they leave the activity's inbox row to the listener's own effect."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.teams.auth import tenant_of
from handlers.i18n import N_
from handlers.privacy.data_map import name_platform_table
from storage.db import Database
from storage.models import TeamsReference
from storage.request_in_hand import bookkeeping

# A person's references are theirs (the table says so, storage.models.teams); in their readable
# data they are headed in the adapter's words.
name_platform_table(TeamsReference.__tablename__, N_("Teams connections"))


@dataclass(frozen=True)
class Reference:
    service_url: str
    tenant_id: str
    conversation_id: str | None


def channel_id_of(activity: dict[str, Any]) -> str:
    """The channel's own conversation id (a thread's id carries ";messageid=…" after it)."""
    channel = ((activity.get("channelData") or {}).get("channel") or {}).get("id")
    return str(channel or (activity.get("conversation") or {}).get("id", "")).split(";")[0]


def remember(db: Database, activity: dict[str, Any], now: datetime) -> None:
    """Stores the references an activity shows: its sender, its channel, and a personal chat."""
    tenant, service_url = tenant_of(activity), str(activity.get("serviceUrl", ""))
    conversation = activity.get("conversation") or {}
    sender = activity.get("from") or {}
    team = ((activity.get("channelData") or {}).get("team") or {}).get("id")
    with bookkeeping(), db.transaction() as session:
        if sender.get("id"):
            personal = conversation.get("conversationType") == "personal"
            _upsert(
                session,
                "user",
                tenant,
                str(sender["id"]),
                service_url,
                now,
                aad_object_id=sender.get("aadObjectId"),
                conversation_id=conversation.get("id") if personal else None,
            )
        if conversation.get("conversationType") == "channel" and channel_id_of(activity) != team:
            _upsert(
                session, "channel", tenant, channel_id_of(activity), service_url, now, team_id=team
            )
        for member in activity.get("membersAdded") or []:
            if member.get("id"):
                _upsert(
                    session,
                    "user",
                    tenant,
                    str(member["id"]),
                    service_url,
                    now,
                    aad_object_id=member.get("aadObjectId"),
                )


def remember_members(
    db: Database, tenant: str, service_url: str, members: list[dict[str, Any]], now: datetime
) -> None:
    """A roster read from the connector: everyone in it can be reached proactively."""
    with bookkeeping(), db.transaction() as session:
        for member in members:
            _upsert(
                session,
                "user",
                tenant,
                str(member["id"]),
                service_url,
                now,
                aad_object_id=member.get("aadObjectId") or member.get("objectId"),
            )


def _row(session: Session, kind: str, tenant: str, key: str) -> TeamsReference | None:
    return session.scalar(
        select(TeamsReference).where(
            TeamsReference.kind == kind,
            TeamsReference.tenant_id == tenant,
            TeamsReference.key == key,
        )
    )


def _upsert(
    session: Session,
    kind: str,
    tenant: str,
    key: str,
    service_url: str,
    now: datetime,
    **fields: Any,
) -> None:
    row = _row(session, kind, tenant, key)
    if row is None:
        row = TeamsReference(
            kind=kind, tenant_id=tenant, key=key, service_url=service_url, updated_at=now
        )
        session.add(row)
    row.service_url, row.updated_at = service_url or row.service_url, now
    for name, value in fields.items():
        if value:
            setattr(row, name, value)


def lookup(db: Database, kind: str, tenant: str, key: str) -> Reference | None:
    with db.transaction() as session:
        row = _row(session, kind, tenant, key)
        if row is None:
            return None
        return Reference(row.service_url, row.tenant_id, row.conversation_id)


def remember_personal_chat(
    db: Database, tenant: str, user_id: str, conversation_id: str, now: datetime
) -> None:
    with bookkeeping(), db.transaction() as session:
        row = _row(session, "user", tenant, user_id)
        if row is not None:
            row.conversation_id, row.updated_at = conversation_id, now


def channels_of_team(db: Database, tenant: str, team_id: str) -> list[str]:
    """The channels we know in a team: a member joining the team joins each of them."""
    with db.transaction() as session:
        return list(
            session.scalars(
                select(TeamsReference.key).where(
                    TeamsReference.kind == "channel",
                    TeamsReference.tenant_id == tenant,
                    TeamsReference.team_id == team_id,
                )
            )
        )

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base, UTCDateTime
from storage.models.personal import PERSON, ByUserId


class TeamsReference(Base):
    """What a proactive Teams message needs, stored whenever a person or channel is seen:
    the service URL to call, the tenant, and for a person their 1:1 conversation once created."""

    __tablename__ = "teams_references"
    __table_args__ = (
        UniqueConstraint("kind", "tenant_id", "key"),
        # A person's references are theirs: what `mydata` shows, `forget-me` deletes.
        {
            "info": {
                PERSON: ByUserId(
                    user_id="key",
                    where={"kind": "user"},
                    shown={
                        "tenant_id": "tenant_id",
                        "user_id": "key",
                        "aad_object_id": "aad_object_id",
                        "conversation_id": "conversation_id",
                        "service_url": "service_url",
                        "updated_at": "updated_at",
                    },
                    line=("tenant_id", "conversation_id"),
                )
            }
        },
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(10))  # "user" or "channel"
    tenant_id: Mapped[str] = mapped_column(String(100))
    key: Mapped[str] = mapped_column(String(300))  # the user's Teams id, or the conversation id
    service_url: Mapped[str] = mapped_column(String(500))
    aad_object_id: Mapped[str | None] = mapped_column(String(100))
    conversation_id: Mapped[str | None] = mapped_column(String(300))  # a user's 1:1 chat
    team_id: Mapped[str | None] = mapped_column(String(300))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)

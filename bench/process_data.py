"""A long process to measure against: set up through the real use case (its channel's roster
becomes the members), its history (workshops, invitations, summaries with decisions and open
questions, input requests in every status, inputs, pulses, the outbox rows that carried them,
weekly digest runs) then written with bulk inserts, which would take hours through the use cases.
Used by the digest and ack-latency benchmarks."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, insert, select, update

from handlers.context import ChannelRef, Deps, PersonRef
from handlers.messages import Context, Message, Paragraph
from storage.db import Database
from storage.models import (
    DigestRun,
    Input,
    InputRequest,
    Invitation,
    Member,
    OutboxMessage,
    Person,
    Process,
    Pulse,
    PulseAnswer,
    Summary,
    SummaryItem,
    Track,
    Workshop,
)
from tests.builders import set_up
from tests.fakes.slack_payloads import TEAM_ID

CHANNEL = "C0DIGEST"
DAY = timedelta(days=1)


@dataclass(frozen=True)
class Size:
    members: int = 300
    workshops: int = 100
    inputs: int = 5000

    def tenth(self) -> Size:
        return Size(
            max(2, self.members // 10), max(1, self.workshops // 10), max(1, self.inputs // 10)
        )


def member_ref(i: int) -> PersonRef:
    return PersonRef("slack", TEAM_ID, f"U{i:07d}", f"Kollega {i}")


def build_process(deps: Deps, size: Size, *, channel: str = CHANNEL, seed: int = 7) -> int:
    """A process `size` big, its history ending now; returns its id. Member 0 facilitates."""
    people = [member_ref(i) for i in range(size.members)]
    where = ChannelRef("slack", TEAM_ID, channel, "digest", tuple(people))
    set_up(deps, where, people[0], step="4", name="Ny styringsmodel for ældreplejen")
    with deps.db.transaction() as session:
        process = session.scalar(select(Process).where(Process.channel_id == channel))
        assert process is not None
        _write_history(session, process, size, deps.clock(), random.Random(seed))
        return process.id


def _write_history(
    session: Any, process: Process, size: Size, now: datetime, rnd: random.Random
) -> None:
    members = session.execute(
        select(Member.id, Person.id, Person.user_id)
        .join(Person, Member.person_id == Person.id)
        .where(Member.process_id == process.id)
        .order_by(Member.id)
    ).all()
    member_ids = [m[0] for m in members]
    person_of = {m[0]: (m[1], m[2]) for m in members}
    facilitator = member_ids[0]
    tracks = session.execute(
        select(Track.id, Track.name).where(Track.process_id == process.id).order_by(Track.position)
    ).all()
    session.execute(  # the worker has reached everyone before: their DM channels are known
        update(Person), [{"id": p, "dm_channel": f"D{u[1:]}"} for p, u in person_of.values()]
    )
    session.execute(
        update(Process).where(Process.id == process.id).values(created_at=now - 320 * DAY)
    )

    held = round(size.workshops * 0.8)
    workshops: list[dict[str, Any]] = []
    invitations: list[dict[str, Any]] = []
    summaries: list[dict[str, Any]] = []
    items: list[dict[str, Any]] = []
    requests: list[dict[str, Any]] = []
    outbox: list[dict[str, Any]] = []
    open_requests: list[tuple[int, int]] = []
    for w in range(size.workshops):
        is_held = w < held
        # The latest is a meeting for everyone (a "stormøde"), summarised yesterday: most were
        # not there and have not answered yet.
        everyone = w == held - 1
        starts_at = (
            now - (2 if everyone else 300 - 295 * w / max(1, held - 1)) * DAY
            if is_held
            else now + (w - held + 1) * 3 * DAY
        )
        workshops.append(
            {
                "id": w + 1,
                "process_id": process.id,
                "track_id": tracks[w % len(tracks)][0],
                "title": f"Workshop {w + 1}: {tracks[w % len(tracks)][1].lower()}",
                "starts_at": starts_at,
                "status": "held" if is_held else "planned",
                "created_at": starts_at - 14 * DAY,
            }
        )
        invited = (
            member_ids
            if everyone
            else rnd.sample(member_ids, min(len(member_ids), rnd.randint(30, 60)))
        )
        attended = {
            m: (rnd.random() < (0.15 if everyone else 0.65) or m == facilitator) for m in invited
        }
        for member in invited:
            invitations.append(
                {
                    "workshop_id": w + 1,
                    "member_id": member,
                    "attended": attended[member] if is_held else None,
                }
            )
        if not is_held:
            continue
        summary_id = len(summaries) + 1
        posted_at = min(now - DAY / 24, starts_at + DAY)
        summaries.append(
            {
                "id": summary_id,
                "workshop_id": w + 1,
                "author_member_id": facilitator,
                "text": "Vi gennemgik den nuværende visitation og tegnede en ny. " * 6,
                "question": "Hvad mener du om det, vi nåede frem til? Har vi overset noget?",
                "input_deadline": (posted_at + 7 * DAY).date(),
                "posted_at": posted_at,
            }
        )
        for kind, count in (("decision", 3), ("open_question", 2), ("next_step", 2)):
            for position in range(count):
                items.append(
                    {
                        "summary_id": summary_id,
                        "kind": kind,
                        "position": position,
                        "text": f"{kind} {position + 1} fra workshop {w + 1}: " + "tekst " * 12,
                        "status": rnd.choice(("open", "open", "done")),
                    }
                )
        outbox.append(_sent(f"summary:{summary_id}", process, None, None, posted_at, CHANNEL_REF))
        # Open until the deadline's day has ended; the reminder sweep expires them after.
        recent = (posted_at + 7 * DAY).date() >= now.date()
        for member in invited:
            if attended[member]:
                continue
            request_id = len(requests) + 1
            if recent:
                status = rnd.choices(
                    ("pending", "delivered", "answered", "declined"), (1, 16, 2, 1)
                )[0]
            else:
                status = rnd.choices(
                    ("answered", "declined", "expired", "failed"), (35, 15, 47, 3)
                )[0]
            responded = status in ("answered", "declined")
            requests.append(
                {
                    "id": request_id,
                    "summary_id": summary_id,
                    "member_id": member,
                    "status": status,
                    "reminders_sent": 0 if recent else rnd.randint(0, 2),
                    # Reminders are not what this measures: none falls due while it runs.
                    "next_reminder_at": now + 2 * DAY
                    if status in ("pending", "delivered")
                    else None,
                    "created_at": posted_at,
                    "responded_at": posted_at + rnd.uniform(0.1, 6) * DAY if responded else None,
                }
            )
            if status in ("pending", "delivered"):
                open_requests.append((request_id, member))
            person_id, user_id = person_of[member]
            outbox.append(
                _sent(
                    f"ask:{summary_id}:{member}",
                    process,
                    person_id,
                    request_id,
                    posted_at,
                    f"D{user_id[1:]}",
                )
            )
    # Input where a request was answered, then unprompted input about a summary or in general.
    inputs = []
    answered = [r for r in requests if r["status"] == "answered"]
    for r in answered[: size.inputs]:
        inputs.append(_input(rnd, process, r["summary_id"], r["id"], r["member_id"], r))
    start = now - 300 * DAY
    while len(inputs) < size.inputs:
        about = rnd.randint(1, len(summaries)) if summaries and rnd.random() < 0.6 else None
        created = start + (now - start) * rnd.random() ** 0.7
        inputs.append(
            _input(rnd, process, about, None, rnd.choice(member_ids), {"responded_at": created})
        )
    for i, row in enumerate(inputs, 1):
        row["id"] = i
        target = f"summary:{row['summary_id']}" if row["summary_id"] else None
        outbox.append(_sent(f"input:{i}", process, None, None, row["created_at"], CHANNEL_REF))
        outbox[-1]["reply_to_key"] = target
    # Weekly digests, the last six days ago: the summaries posted since are listed.
    digests = [
        {"process_id": process.id, "period": f"week:{k}", "created_at": now - (7 * k + 6) * DAY}
        for k in range(min(40, size.workshops))
    ]
    # Three pulses, the last ten days ago, each answered by about 60% of the members.
    pulses, answers = [], []
    person_ids = [person_id for person_id, _ in person_of.values()]
    for k, days_ago in enumerate((200, 100, 10), 1):
        sent = now - days_ago * DAY
        pulses.append(
            {
                "id": k,
                "key": f"pulse:{k}",
                "process_id": process.id,
                "step": k,
                "reason": "step",
                "workshop_id": max(1, round(held * (300 - days_ago) / 300)),
                "asked": len(person_ids),
                "created_at": sent,
            }
        )
        for person_id in person_ids:
            if rnd.random() < 0.6:
                answers.append(
                    {
                        "pulse_id": k,
                        "person_id": person_id,
                        "score": rnd.randint(1, 5),
                        "comment": None,
                        "attended": rnd.random() < 0.5,
                        "answered_at": sent + DAY,
                    }
                )
    for model, rows in (
        (Workshop, workshops),
        (Invitation, invitations),
        (Summary, summaries),
        (SummaryItem, items),
        (InputRequest, requests),
        (Input, inputs),
        (OutboxMessage, outbox),
        (DigestRun, digests),
        (Pulse, pulses),
        (PulseAnswer, answers),
    ):
        for chunk in range(0, len(rows), 2000):
            session.execute(insert(model), rows[chunk : chunk + 2000])


CHANNEL_REF = "channel"
PAYLOAD = Message("…", (Context("…"), Paragraph("…"))).to_json()


def _sent(
    key: str,
    process: Process,
    person_id: int | None,
    request_id: int | None,
    at: datetime,
    where: str,
) -> dict[str, Any]:
    channel = process.channel_id if where == CHANNEL_REF else where
    return {
        "key": key,
        "platform": "slack",
        "process_id": process.id,
        "target_kind": "person" if person_id else "channel",
        "channel_id": None if person_id else channel,
        "person_id": person_id,
        "reply_to_key": None,
        "replaces_key": None,
        "link_key": None,
        "request_id": request_id,
        "payload": PAYLOAD,
        "status": "sent",
        "attempts": 1,
        "next_attempt_at": at,
        "platform_ref": f"{channel}:{at.timestamp():.6f}",
        "created_at": at,
        "sent_at": at,
    }


def _input(
    rnd: random.Random,
    process: Process,
    summary_id: int | None,
    request_id: int | None,
    member: int,
    when: dict[str, Any],
) -> dict[str, Any]:
    status = rnd.choices(("received", "considered", "used", "not_used"), (5, 2, 2, 1))[0]
    # Marked inputs were marked a few days after they came, half of them with a note; a few
    # anonymous ones still wait for the anonymity threshold (not shown anywhere yet).
    marked = None if status == "received" else when["responded_at"] + rnd.randint(1, 10) * DAY
    anonymous = rnd.random() < 0.2
    waiting = anonymous and status == "received" and rnd.random() < 0.05
    return {
        "process_id": process.id,
        "summary_id": summary_id,
        "request_id": request_id,
        "author_member_id": member,
        "anonymous": anonymous,
        "text": "Jeg synes, vi skal huske borgerens egne ønsker. " * rnd.randint(1, 8),
        "status": status,
        "status_note": "Det tager vi med videre." if marked and rnd.random() < 0.5 else None,
        "status_changed_at": marked,
        "created_at": when["responded_at"],
        "posted_at": None if waiting else when["responded_at"],
    }


def counts(db: Database) -> dict[str, int]:
    with db.transaction() as session:
        return {
            model.__tablename__: session.scalar(select(func.count()).select_from(model)) or 0
            for model in (
                Member,
                Workshop,
                Summary,
                SummaryItem,
                InputRequest,
                Input,
                OutboxMessage,
            )
        }

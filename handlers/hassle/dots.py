"""A person's dots: their own form (the bøvl in their own random order, how many dots they
have and have used, their own choice) and its submission, which replaces what they gave before.
Never anyone else's choice, and no count before the round closes; the choice is kept sealed
(handlers.hassle.ballots), and only the totals are readable."""

from __future__ import annotations

from collections import Counter
from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from handlers import audit
from handlers.context import ChannelRef, Deps, PersonRef
from handlers.errors import Refused, no_arguments
from handlers.form_reading import FormReader
from handlers.hassle.ballots import BallotChanged, UnreadableBallot, cast, current_choice, own_order
from handlers.hassle.board import item_label, shown_items
from handlers.hassle.rounds import (
    deadline_day,
    latest_round,
    process_of,
    require_round,
    round_by_id,
)
from handlers.i18n import N_, Translator
from handlers.messages import (
    ONLY_FIELD,
    Form,
    FormField,
    FormOutcome,
    FormValues,
    Message,
    Option,
    Reply,
)
from handlers.people import (
    acting,
    ensure_person,
    require_member,
    require_open,
    translator_for,
)
from storage.models import HassleItem, HassleParticipant, HassleRound, Member, Process

PER_FIELD = 100  # options in one field: what Slack's menus hold
ATTEMPTS = 3  # a submission that lost a race to the same person's other one tries again
NO_KEY = N_(
    "Voting cannot be opened: ballots are kept secret with a key, and none is set up. Ask whoever "
    "runs Samskab to set SAMSKAB_BALLOT_KEY."
)
GIVE_DOTS = N_("Give your dots")


def votable_items(session: Session, hassle_round: HassleRound) -> list[HassleItem]:
    """What can be supported: shown, not merged into another, not outside the frame."""
    return [
        item
        for item in shown_items(session, hassle_round)
        if item.merged_into_id is None and item.out_of_scope_reason is None
    ]


def dots_command(deps: Deps, actor: PersonRef, channel: ChannelRef, argument: str) -> Reply:
    """`/samskab bøvl prikker`: the person's own dots form."""
    no_arguments("hassle dots", argument)
    with deps.db.transaction() as session:
        who = acting(session, deps, actor, channel, role="member")
        require_open(who.process)
        hassle_round = newest_round(session, who.process)
        return Reply(form=dots_form(session, deps, who.tr, hassle_round, who.member))


def dots_button(deps: Deps, actor: PersonRef, value: str) -> Reply:
    """ "Give your dots" in the DM."""
    with deps.db.transaction() as session:
        person = ensure_person(session, actor)
        hassle_round = round_by_id(session, value)
        process = process_of(session, hassle_round)
        require_open(process)
        member = require_member(session, process, person)
        tr = translator_for(person, process, deps)
        require_voting(tr, hassle_round, deps.clock())
        return Reply(form=dots_form(session, deps, tr, hassle_round, member))


def dots_form(
    session: Session, deps: Deps, tr: Translator, hassle_round: HassleRound, member: Member
) -> Form:
    require_voting(tr, hassle_round, deps.clock())
    key = ballot_key_of(deps)
    items = own_order(key, hassle_round.id, member.id, votable_items(session, hassle_round))
    chosen = _choice_of(session, key, tr, hassle_round, member)
    by_id = {item.id: item for item in items}
    refs = [by_id[i].reference for i in chosen if i in by_id]
    options = [Option(item.reference, f"{item_label(item)} {item.title}") for item in items]
    dots = hassle_round.dots
    if hassle_round.stacking:
        fields = tuple(
            FormField(
                f"dot_{n}",
                tr._("Dot {n}").format(n=n),
                "choice",
                required=False,
                initial=refs[n - 1] if n <= len(refs) else None,
                options=tuple(options),
            )
            for n in range(1, dots + 1)
        )
    else:
        chunks = [options[start : start + PER_FIELD] for start in range(0, len(options), PER_FIELD)]
        fields = tuple(
            FormField(
                _chunk_field(k),
                tr._("Hassles") if len(chunks) == 1 else tr._("Hassles, part {n}").format(n=k + 1),
                "choices",
                required=False,
                initial=tuple(o.value for o in chunk if o.value in refs),
                options=tuple(chunk),
                max_selected=dots,  # the renderers say "Vælg op til 3"
            )
            for k, chunk in enumerate(chunks)
        )
    return Form(
        callback_id="hassle.dots",
        title=tr._(GIVE_DOTS),
        submit_label=tr._("Save my dots"),
        intro="\n".join(
            (
                hassle_round.question,
                dots_left_line(tr, dots, len(refs)),
                _until_line(tr, hassle_round),
            )
        ),
        metadata={"round": str(hassle_round.id)},
        fields=fields,
        language=tr.language,
        # A long list's parts can be saved one at a time (Teams: a card each, when one card
        # cannot hold them all); stacked dots are one choice and stay together.
        separable=not hassle_round.stacking,
    )


def _chunk_field(k: int) -> str:
    return "items" if k == 0 else f"items_{k + 1}"


def dots_left_line(tr: Translator, dots: int, used: int) -> str:
    """ "Du har 3 prikker. Du har brugt 2." """
    have = tr._("You have one dot.") if dots == 1 else tr._("You have {n} dots.").format(n=dots)
    return f"{have} " + tr._("You have used {n}.").format(n=used)


def _until_line(tr: Translator, hassle_round: HassleRound) -> str:
    assert hassle_round.vote_until is not None
    day = tr.date(deadline_day(hassle_round.vote_until, tr.tz.key))
    return tr._("You can change your dots until {date}. Nobody sees who supported what.").format(
        date=day
    )


def _choice_of(
    session: Session, key: bytes, tr: Translator, hassle_round: HassleRound, member: Member
) -> list[int]:
    try:
        return current_choice(session, key, hassle_round, member.id)
    except UnreadableBallot:
        raise Refused(
            N_("Your dots cannot be read: the ballot key has changed. Tell a facilitator.")
        ) from None


# --- submitting -------------------------------------------------------------------------------


def submit_dots(
    deps: Deps,
    actor: PersonRef,
    channel: ChannelRef | None,
    metadata: dict[str, str],
    values: FormValues,
) -> FormOutcome:
    """The person's dots replace what they gave before. A double click, a second device or a
    replayed request gives the same ballot again, which changes nothing; two different ones at
    once end as one of them, never both."""
    for attempt in range(1, ATTEMPTS + 1):
        try:
            return _submit_dots(deps, actor, metadata, values)
        except (BallotChanged, IntegrityError):
            # Another submission of theirs (or their first participant row) won the race: read
            # the ballot it left and apply this one over it.
            if attempt == ATTEMPTS:
                raise
    raise AssertionError("unreachable")


def _submit_dots(
    deps: Deps, actor: PersonRef, metadata: dict[str, str], values: FormValues
) -> FormOutcome:
    now = deps.clock()
    key = ballot_key_of(deps)
    with deps.db.transaction() as session:
        person = ensure_person(session, actor)
        hassle_round = round_by_id(session, metadata.get("round", ""))
        process = process_of(session, hassle_round)
        require_open(process)
        member = require_member(session, process, person)
        tr = translator_for(person, process, deps)
        require_voting(tr, hassle_round, now)
        # In the person's own order, so that each part of a long form is read as it was shown.
        items = own_order(key, hassle_round.id, member.id, votable_items(session, hassle_round))
        by_ref = {item.reference: item for item in items}
        form = FormReader(values)
        only = metadata.get(ONLY_FIELD)
        before = _choice_of(session, key, tr, hassle_round, member) if only else []
        by_id = {item.id: item.reference for item in items}
        kept = [by_id[i] for i in before if i in by_id]
        picked = _read_dots(form, hassle_round, list(by_ref), only=only, kept=kept)
        if form.errors:
            return FormOutcome(
                errors={f: tr._(m).format(**params) for f, (m, params) in form.errors.items()}
            )
        chosen = [by_ref[ref].id for ref in picked]
        try:
            old = cast(session, key, hassle_round, member.id, chosen, now)
        except UnreadableBallot:
            raise Refused(
                N_("Your dots cannot be read: the ballot key has changed. Tell a facilitator.")
            ) from None
        _mark_supported(session, hassle_round, member, bool(chosen))
        if Counter(old) != Counter(chosen):
            # Who gave dots, as the participation figures count them; never which.
            audit.record(
                session,
                "hassle.supported",
                at=now,
                process=process,
                actor=person,
                round=hassle_round.id,
            )
        labels = ", ".join(item_label(by_ref[ref]) for ref in sorted(set(picked), key=_ref_order))
        assert hassle_round.vote_until is not None
        until = tr.date(deadline_day(hassle_round.vote_until, process.timezone))
        text = (
            tr._("Your dots are saved: {items}. You can change them until {date}.").format(
                items=_with_stacks(labels, picked, by_ref), date=until
            )
            if picked
            else tr._("You have no dots on any hassle now. You can give them until {date}.").format(
                date=until
            )
        )
        text += " " + dots_left_line(tr, hassle_round.dots, len(picked))
        return FormOutcome(reply=Reply(message=Message(text, language=tr.language)))


def _read_dots(
    form: FormReader,
    hassle_round: HassleRound,
    refs: list[str],
    *,
    only: str | None = None,
    kept: list[str] | None = None,
) -> list[str]:
    """The references picked, one per dot. Never more than the dots; without stacking, at most
    one per bøvl; only bøvl that can be supported. A part of the form (`only`: its one field)
    changes the dots within its part and `kept`, the dots given before, elsewhere."""
    dots = hassle_round.dots
    if hassle_round.stacking:
        picked = [
            ref
            for n in range(1, dots + 1)
            if (ref := form.choice(f"dot_{n}", set(refs), required=False))
        ]
        return picked  # only `dots` fields are read: a crafted "dot_11" counts for nothing
    picked = []
    chunks = [refs[start : start + PER_FIELD] for start in range(0, len(refs), PER_FIELD)]
    for k, chunk in enumerate(chunks or [[]]):
        # Each part's options as the form showed them, in any order: a chunk is read by its
        # values, and a value from another part is refused as not among its options.
        # The maximum is checked over all parts below, with an answer that names the dots.
        if only is not None and _chunk_field(k) != only:
            picked += [ref for ref in kept or [] if ref in set(chunk)]
            continue
        picked += form.choices(_chunk_field(k), set(chunk), required=False)
    if len(picked) > dots and only is not None:
        form.fail(
            only,
            N_(
                "With the dots you gave in the other parts that makes {chosen}, but you have "
                "only {n} dots. Take some away here or in another part."
            ),
            chosen=len(picked),
            n=dots,
        )
    elif len(picked) > dots:
        form.fail(
            "items",
            N_("You have chosen {chosen}, but you have only {n} dots. Choose at most {n}."),
            chosen=len(picked),
            n=dots,
        )
    return picked


def _with_stacks(labels: str, picked: list[str], by_ref: dict[str, HassleItem]) -> str:
    """ "#3 (2 dots), #12" where dots are stacked."""
    counts = Counter(picked)
    if max(counts.values(), default=0) <= 1:
        return labels
    return ", ".join(
        f"{item_label(by_ref[ref])} ×{n}" if n > 1 else item_label(by_ref[ref])
        for ref, n in sorted(counts.items(), key=lambda pair: _ref_order(pair[0]))
    )


def _ref_order(reference: str) -> tuple[int, str]:
    return (0, reference.zfill(9)) if reference.isdecimal() else (1, reference)


def _mark_supported(
    session: Session, hassle_round: HassleRound, member: Member, supported: bool
) -> None:
    participant = session.get(HassleParticipant, (hassle_round.id, member.id))
    if participant is None:
        participant = HassleParticipant(
            round_id=hassle_round.id, member_id=member.id, asked=False, added=False
        )
        session.add(participant)
    participant.supported = supported
    session.flush()  # a second first row fails here; the submission tries again


# --- helpers ----------------------------------------------------------------------------------


def newest_round(session: Session, process: Process) -> HassleRound:
    """The process's newest round, whatever its phase (a closed one says so when asked)."""
    hassle_round = latest_round(session, process)
    if hassle_round is None:
        return require_round(session, process)  # the refusal that says how to start one
    return hassle_round


def ballot_key_of(deps: Deps) -> bytes:
    key = deps.ballot_key() if deps.ballot_key is not None else None
    if key is None:
        raise Refused(NO_KEY)
    return key


def require_voting(tr: Translator, hassle_round: HassleRound, now: datetime) -> None:
    if hassle_round.phase == "collecting":
        raise Refused(N_("Voting has not opened yet: we are still collecting hassles."))
    if hassle_round.phase == "closed" or (
        hassle_round.vote_until is not None and now >= hassle_round.vote_until
    ):
        raise Refused(
            N_("Voting is closed: see the results with /samskab hassle results."),
        )

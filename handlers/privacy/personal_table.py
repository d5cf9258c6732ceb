"""The words the data map (handlers.privacy.data_map) is written in: an entry per table
(`PersonalTable`), how its rows belong to a person, and what each use case does with them:
`mydata` shows them (`Listed`, `Tallied`), `forget-me` erases them (`Forget`) and scrubs the
name out of what remains (`Scrub`), retention erases a closed process's (`Retain`)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal
from uuid import uuid4

from sqlalchemy import ColumnElement, Table, and_, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from handlers.i18n import Translator
from handlers.privacy.shown import ProcessNames, Row
from storage.models import Base, Member, Person

Via = Literal["self", "person", "member", "user_id"]
"""What a table's `column` holds: the person's own row (`people.id`), a link to the person
(`people.id`), to one of their memberships (`members.id`), or their platform user id."""


@dataclass(frozen=True)
class Whose:
    """The people some rows are about, in the three ways a row can name them."""

    person_ids: Sequence[int]
    member_ids: Sequence[int]
    user_ids: Sequence[str]

    @classmethod
    def of(cls, session: Session, people: Sequence[Person]) -> Whose:
        ids = [p.id for p in people]
        members = session.scalars(select(Member.id).where(Member.person_id.in_(ids)))
        return cls(ids, list(members), [p.user_id for p in people])


# --- what the use cases do -----------------------------------------------------------------


@dataclass(frozen=True)
class Counted:
    """A count the use case keeps under `key` (in its audit entry); `told`, where given, is how
    it reads to a person: forget-me's reply, `samskab purge`'s list."""

    key: str
    told: Callable[[Translator, int], str] | None = None


@dataclass(frozen=True)
class Delete:
    """Forget-me: the person's rows go. Retention: the closed process's rows go. With `only`,
    only the rows where it holds; the others stay (with their membership, at its stand-in)."""

    counted: Counted | None = None
    only: tuple[ColumnElement[bool], ...] = ()


@dataclass(frozen=True)
class Unlink:
    """The `column` that says whose a row is becomes empty and `values` are set; the row stays
    (forget-me: the person's rows; retention: the closed process's)."""

    counted: Counted | None = None
    values: Mapping[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class AsAuthorChooses:
    """Forget-me for input: named input deleted or kept anonymously, as the person chooses;
    anonymous input kept without its link to them; the posts in the channel say so."""

    deleted: Counted
    kept: Counted


@dataclass(frozen=True)
class MoveToStandIn:
    """The rows move to the blank stand-in person of the membership they belong to (by its
    process), with `values` set: they still count, for nobody. Forget-me: the person's rows;
    retention: the closed process's. Each membership gets a stand-in of its own (`stand_in`)."""

    counted: Counted | None = None
    values: Mapping[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class Keep:
    """The rows stay, with `values` set: those of a membership follow it to its stand-in, those
    of a person go with them once they are in no process any more (by forget-me's action)."""

    values: Mapping[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class Scrub:
    """Forget-me: in the rows of the processes the person was in, their name and user id in
    `columns` (text, or JSON holding text) become "a former participant", in the row's
    `language` where it has one."""

    columns: tuple[str, ...]
    language: Callable[[Any], str] | None = None
    counted: Counted | None = None


@dataclass(frozen=True)
class Listed:
    """In the readable message: a list under `title`, a line per row (absent when empty)."""

    title: str
    line: Callable[[Translator, Row], str]


@dataclass(frozen=True)
class Tallied:
    """In the readable message: a paragraph about all the rows, after the lists."""

    paragraph: Callable[[Translator, list[Row]], str]


Forget = Delete | Unlink | AsAuthorChooses | MoveToStandIn | Keep
Retain = Delete | Unlink | MoveToStandIn | Keep


@dataclass(frozen=True)
class PersonalTable:
    """One table's rows about a person. `name` is its key in the mydata file; `in_process`
    the way from a row to its process (a chain of columns, each a foreign key to the next's
    table, ending in a process id), where retention or a scrub needs it."""

    name: str
    model: type[Base]
    column: InstrumentedAttribute[Any]
    via: Via
    shown: Callable[[Any, ProcessNames], Row]
    readable: Listed | Tallied | None
    forget: Forget
    retain: Retain
    in_process: tuple[InstrumentedAttribute[Any], ...] = ()
    scrub: Scrub | None = None
    where: tuple[ColumnElement[bool], ...] = ()
    join: tuple[type[Base], ...] = ()
    order_by: tuple[Any, ...] = ()

    @property
    def table(self) -> Table:
        return Base.metadata.tables[self.model.__tablename__]

    def rows_of(self, whose: Whose) -> ColumnElement[bool]:
        ids: Sequence[int] | Sequence[str]
        if self.via == "member":
            ids = whose.member_ids
        elif self.via == "user_id":
            ids = whose.user_ids
        else:
            ids = whose.person_ids
        return and_(self.column.in_(ids), *self.where)

    def rows_in(self, process_ids: Sequence[int]) -> ColumnElement[bool]:
        if not self.in_process:
            raise ValueError(f"{self.name}: no way to its process is declared")
        *links, last = self.in_process
        condition: ColumnElement[bool] = last.in_(process_ids)
        for link in reversed(links):
            [key] = link.expression.foreign_keys
            condition = link.in_(select(key.column).where(condition))
        return condition

    def forget_counts(self) -> tuple[Counted, ...]:
        """What forget-me counts of this table, in the order it tells the person."""
        counted: tuple[Counted | None, ...] = ()
        if isinstance(self.forget, AsAuthorChooses):
            counted = (self.forget.deleted, self.forget.kept)
        elif not isinstance(self.forget, Keep):
            counted = (self.forget.counted,)
        counted += (self.scrub.counted if self.scrub is not None else None,)
        return tuple(c for c in counted if c is not None)


def stand_in(session: Session, member: Member) -> Person:
    """A blank person for one membership, in its process's workspace: no name, no language, no
    DM, and a user id of its own that no platform gives and nothing leads back from."""
    person = Person(
        platform=member.process.platform,
        workspace=member.process.workspace,
        user_id=f"erased:{uuid4().hex}",
        name="",
        locale=None,
    )
    session.add(person)
    session.flush()
    return person


def labelled(label: str) -> Callable[[Translator, int], str]:
    """A count in `samskab purge`'s list: "label: n"."""
    return lambda tr, n: f"{tr._(label)}: {n}"

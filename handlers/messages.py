"""The neutral message model: what a use case says, before any platform renders it.

Every block is a small frozen dataclass with a `kind`; a `Message` serialises to plain JSON so the
outbox can store it and an adapter on another replica can render it later.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any, ClassVar, Literal

from handlers.context import ChannelRef


@dataclass(frozen=True)
class Heading:
    text: str
    kind: ClassVar[str] = "heading"


@dataclass(frozen=True)
class Paragraph:
    text: str
    kind: ClassVar[str] = "paragraph"


@dataclass(frozen=True)
class Fields:
    """Label/value pairs shown side by side."""

    pairs: tuple[tuple[str, str], ...]
    kind: ClassVar[str] = "fields"


@dataclass(frozen=True)
class BulletList:
    title: str
    items: tuple[str, ...]
    kind: ClassVar[str] = "bullets"


@dataclass(frozen=True)
class Progress:
    """Where the process stands: `step` of `total`, with the step's name as `label`."""

    step: int
    total: int
    label: str
    kind: ClassVar[str] = "progress"


@dataclass(frozen=True)
class Button:
    label: str
    action_id: str
    value: str = ""
    style: str = ""  # "", "primary" or "danger"


@dataclass(frozen=True)
class Buttons:
    buttons: tuple[Button, ...]
    kind: ClassVar[str] = "buttons"


@dataclass(frozen=True)
class Context:
    """A small grey line: who, when, how to answer."""

    text: str
    kind: ClassVar[str] = "context"


@dataclass(frozen=True)
class Divider:
    kind: ClassVar[str] = "divider"


@dataclass(frozen=True)
class Link:
    """A link to the message this one is linked to (the outbox row's `link_key`), such as the
    summary post from the DM that asks for input. The adapter fills in where it points; where it
    cannot, the block is left out."""

    label: str
    # Set: the link opens this process's status page, made for the person who reads the message
    # (a personal link; see handlers.status.page_link) instead of pointing at the linked message.
    page_of: int | None = None
    kind: ClassVar[str] = "link"


Block = Heading | Paragraph | Fields | BulletList | Progress | Buttons | Context | Divider | Link
_BLOCK_TYPES: dict[str, type[Any]] = {
    cls.kind: cls
    for cls in (Heading, Paragraph, Fields, BulletList, Progress, Buttons, Context, Divider, Link)
}


@dataclass(frozen=True)
class Message:
    """`text` is the notification fallback and what a plain client shows; blocks are the body.
    `language` is the one the texts are written in, for the words a renderer adds ("… and 3 more").
    """

    text: str
    blocks: tuple[Block, ...] = ()
    language: str = "da"

    def to_json(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "language": self.language,
            "blocks": [{"kind": block.kind, **asdict(block)} for block in self.blocks],
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Message:
        return cls(
            text=data["text"],
            blocks=tuple(_block_from_json(b) for b in data["blocks"]),
            language=data.get("language", "da"),
        )


def _block_from_json(data: dict[str, Any]) -> Block:
    values = {k: v for k, v in data.items() if k != "kind"}
    kind = data["kind"]
    if kind == "fields":
        values["pairs"] = tuple(tuple(pair) for pair in values["pairs"])
    elif kind == "bullets":
        values["items"] = tuple(values["items"])
    elif kind == "buttons":
        values["buttons"] = tuple(Button(**b) for b in values["buttons"])
    block: Block = _BLOCK_TYPES[kind](**values)
    return block


# --- Forms ------------------------------------------------------------------------------------

FIELD_KINDS = (
    "text",
    "long_text",
    "people",
    "person",
    "choice",
    "choices",
    "date",
    "datetime",
    "time",
    "channel",
)


@dataclass(frozen=True)
class Option:
    value: str
    label: str


FieldKind = Literal[
    "text",
    "long_text",
    "choice",
    "choices",
    "person",
    "people",
    "channel",
    "date",
    "time",
    "datetime",
]


@dataclass(frozen=True)
class FormField:
    """One input of a form.

    Values arrive as strings, except `people`, which arrives as a list of user ids, and
    `choices`, a list of the values of the options picked; `channel` is a channel id of the same
    platform (optional fields arrive empty). `long_text` lists (decisions, open questions) take
    one item per line. Dates are ISO (`2026-12-03`), date-times `2026-12-03T13:00` in the
    process's timezone, times `09:00`.

    `choices` picks several of `options`, at most `max_selected` (None: any number), with
    `initial` a tuple of option values. Slack enforces the maximum in the menu; Teams and the
    console do not, so the use case reads the field with `FormReader.choices`, which refuses too
    many and unknown values. An option's value holds no comma: Teams sends the picks as one
    comma-separated string.
    """

    id: str
    label: str
    kind: FieldKind
    required: bool = True
    initial: str | tuple[str, ...] | None = None
    options: tuple[Option, ...] = ()
    hint: str = ""
    max_length: int | None = None
    max_selected: int | None = None

    def __post_init__(self) -> None:
        # Mistakes of the form's author, caught where the form is built on every platform rather
        # than as a mangled answer on Teams.
        if self.max_selected is not None and self.max_selected < 1:
            raise ValueError(f"{self.id}: max_selected must be at least 1")
        if self.kind == "choices" and any("," in o.value for o in self.options):
            raise ValueError(f"{self.id}: a choices option's value cannot hold a comma")


@dataclass(frozen=True)
class Form:
    """A modal (Slack), a card (Teams) or a questionnaire (console).

    `callback_id` names the use case that receives the answers; `metadata` carries ids only,
    never content, because platforms echo it back unencrypted and limit its size.

    `separable`: each field can be answered on its own. A platform that cannot hold the whole
    form at once (a Teams card's size) may then send one form per field, each with the id of its
    one field in `metadata[ONLY_FIELD]`; the use case leaves what the other fields hold as it was.
    """

    callback_id: str
    title: str
    submit_label: str
    fields: tuple[FormField, ...]
    metadata: dict[str, str] = field(default_factory=dict)
    intro: str = ""
    language: str = "da"
    separable: bool = False


ONLY_FIELD = "only"  # the metadata key of a separable form's part: the one field it holds


FormValues = dict[str, str | list[str]]


@dataclass(frozen=True)
class Attachment:
    """A file: the process's record, or a person's own data.

    `private`: for the person who asked only (their data), never the channel. `ref` names how to
    make the file again (`export:<process id>:<md|csv>`, `mydata:<person id>`), so an adapter that
    cannot carry a file (Teams) can offer a signed download link instead; see handlers.downloads.
    """

    filename: str
    content: str
    mime_type: str = "text/markdown"
    private: bool = False
    ref: str = ""


@dataclass(frozen=True)
class Reply:
    """What the person who acted sees at once, privately: a message, a form to fill, or a file."""

    message: Message | None = None
    form: Form | None = None
    attachment: Attachment | None = None
    # A long read (a whole list): where the platform has a place for one, it is shown there (a
    # Slack modal) rather than as a message in the conversation.
    long_read: bool = False


class FollowUp(StrEnum):
    """Work an adapter does after a use case succeeded, in the platform's own way. Only a use
    case that did what was asked names one, so a refused form never has a follow-up."""

    ENROL_CHANNEL = "enrol_channel"  # a process was set up: join the channel, read its roster
    REFRESH_HOME = "refresh_home"  # the actor's own overview changed (an input was marked)


@dataclass(frozen=True)
class FormOutcome:
    """The answer to a submitted form: errors per field (the form stays open), or a reply."""

    errors: dict[str, str] = field(default_factory=dict)
    reply: Reply = field(default_factory=Reply)
    follow_ups: tuple[FollowUp, ...] = ()
    channel: ChannelRef | None = None  # the process channel the form acted in

    @property
    def ok(self) -> bool:
        return not self.errors

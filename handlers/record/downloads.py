"""A file made again from its `Attachment.ref`, for an adapter that offers a signed download link
rather than the file itself (Teams). The link carries the ref, never the content, so the file is
made from what the database holds when it is fetched: what was erased meanwhile is gone from it."""

from __future__ import annotations

from handlers.context import Deps
from handlers.ids import parse_id
from handlers.messages import Attachment
from handlers.privacy.own_data import my_data_file
from handlers.record.export import MIME_TYPES, record_file


def make_again(deps: Deps, ref: str, language: str) -> Attachment | None:
    """`export:<process id>:<md|csv>` or `mydata:<person id>`; None for a ref we do not know or a
    thing that no longer exists. A record is written in its process's language whatever
    `language` says; a person's own data in `language`, theirs."""
    kind, _, rest = ref.partition(":")
    if kind == "export":
        process_id, _, fmt = rest.partition(":")
        if parse_id(process_id) and fmt in MIME_TYPES:
            return record_file(deps, parse_id(process_id), fmt)
    elif kind == "mydata" and parse_id(rest):
        return my_data_file(deps, parse_id(rest), language)
    return None

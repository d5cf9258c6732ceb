"""Neutral messages as plain text."""

from __future__ import annotations

from collections.abc import Callable

from handlers.messages import (
    BulletList,
    Button,
    Buttons,
    Context,
    Divider,
    Fields,
    Heading,
    Message,
    Paragraph,
    Progress,
)

ButtonNumberer = Callable[[Button], int]


def render_text(message: Message, number: ButtonNumberer | None = None) -> str:
    """Every block on its own lines. Buttons show a number to press with `/click N`."""
    if not message.blocks:
        return message.text
    lines: list[str] = []
    for block in message.blocks:
        match block:
            case Heading(text=text):
                lines += [text, "─" * min(len(text), 60)]
            case Paragraph(text=text):
                lines.append(text)
            case Fields(pairs=pairs):
                lines += [f"{label}: {value}" for label, value in pairs]
            case BulletList(title=title, items=items):
                lines += [f"{title}:"] if title else []
                lines += [f"  • {item}" for item in items]
            case Progress(step=step, total=total, label=label):
                lines.append(f"[{'■' * step}{'□' * (total - step)}] {label}")
            case Buttons(buttons=buttons):
                if number is not None:
                    lines.append("   ".join(f"[{number(b)}] {b.label}" for b in buttons))
            case Context(text=text):
                lines.append(f"({text})")
            case Divider():
                lines.append("-" * 40)
    return "\n".join(lines)

"""Moving a process back a step is said as such: "er gået tilbage til Trin 2", never "videre"."""

from __future__ import annotations

from pathlib import Path

from handlers.context import Deps
from tests.builders import channel, person, set_up
from tests.conftest import Clock
from tests.console_driver import ConsoleDriver

METTE, ANNA = person("Mette Lund"), person("Anna Holm")
WHERE = channel("odder", [METTE, ANNA])


def test_the_channel_reads_forward_and_back(deps: Deps, clock: Clock, tmp_path: Path) -> None:
    set_up(deps, WHERE, METTE, step="3")
    chat = ConsoleDriver(deps, channel="odder", as_name="Mette Lund", export_dir=tmp_path)
    forward = "\n".join(p.body for p in chat.type("/samskab trin 4") if p.label.startswith("#"))
    assert "Forløbet er gået videre til Trin 4 af 6" in forward
    clock.advance(minutes=5)
    back = "\n".join(p.body for p in chat.type("/samskab trin 2") if p.label.startswith("#"))
    assert "Forløbet er gået tilbage til Trin 2 af 6" in back
    assert "videre" not in back

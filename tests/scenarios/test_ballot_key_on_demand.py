"""The key that seals the bøvl round's ballots is made when voting needs it, not at every start
(bot.ballot_key): on a SQLite database without SAMSKAB_BALLOT_KEY, the commands that never vote
leave no `<database>.ballot-key` beside it, and the first opening of voting makes it, private."""

from __future__ import annotations

import stat
from pathlib import Path

from tests.command_line import CommandLine

# The round's start form, each field kept at its default (three fields; a spare Enter is harmless).
START_ROUND = "/samskab bøvl start\n" + "\n" * 4


def test_only_opening_voting_makes_the_ballot_key_file(
    samskab: CommandLine, tmp_path: Path
) -> None:
    key_file = tmp_path / "samskab.db.ballot-key"
    for argv in (["--help"], ["migrate"], ["demo"], ["digest", "--now"]):
        result = samskab(*argv)
        assert result.returncode == 0, result.stderr
        assert not key_file.exists(), f"samskab {' '.join(argv)} made a ballot key"

    # A console session that starts a bøvl round but does not vote.
    collecting = samskab("console", stdin="/samskab status\n" + START_ROUND)
    assert collecting.returncode == 0, collecting.stderr
    assert "Hvad bøvler i din hverdag" in collecting.stdout  # the round asked everyone
    assert not key_file.exists(), "a console that never opened voting made a ballot key"

    # The facilitator opens voting: the form is shown, and the key is there, for its owner only.
    voting = samskab("console", stdin="/samskab bøvl afstemning\n")
    assert voting.returncode == 0, voting.stderr
    assert "Åbn afstemningen" in voting.stdout
    assert "SAMSKAB_BALLOT_KEY" not in voting.stdout  # not refused for want of a key
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert len(bytes.fromhex(key_file.read_text().strip())) == 32

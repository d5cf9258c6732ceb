"""The working days of a process come from its own country's calendar alone: the server does not
import the calendars of some 250 countries (8 MB kept for good) to know Denmark's holidays. A
fresh interpreter each, since what is imported is the point."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _in_fresh_python(code: str) -> dict[str, object]:
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    answer: dict[str, object] = json.loads(done.stdout)
    return answer


def test_danish_holidays_load_denmarks_calendar_only() -> None:
    answer = _in_fresh_python(
        "import json, sys\n"
        "from datetime import date\n"
        "from handlers.inputs.working_time import is_working_day\n"
        "days = [date(2026, 12, 25), date(2026, 4, 6), date(2026, 12, 28)]\n"
        "working = [is_working_day(d, 'DK') for d in days]\n"
        "loaded = sorted(m for m in sys.modules if m.startswith('holidays.countries'))\n"
        "print(json.dumps({'working': working, 'loaded': loaded}))\n"
    )
    assert answer["working"] == [False, False, True]  # Christmas Day, Easter Monday, a Monday
    assert answer["loaded"] == ["holidays.countries.denmark"]


def test_a_calendar_built_on_another_countrys_has_the_same_days_as_before() -> None:
    answer = _in_fresh_python(
        "import json\n"
        "import holidays\n"
        "from handlers.inputs.working_time import _public_holidays\n"
        "ours = {c: sorted(map(str, _public_holidays(c, 2026))) for c in ('AX', 'NO', 'GL')}\n"
        "theirs = {c: sorted(map(str, holidays.country_holidays(c, years=2026)))\n"
        "          for c in ('AX', 'NO', 'GL')}\n"
        "print(json.dumps({'same': ours == theirs, 'ax': len(ours['AX'])}))\n"
    )
    assert answer["same"] is True
    assert isinstance(answer["ax"], int) and answer["ax"] > 5

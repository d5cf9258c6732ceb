"""What a person reads of the audit log (`mydata`) is words, never the code's name for an action:
every action the code records has a name in handlers.audit.ACTION_NAMES."""

from __future__ import annotations

import ast
from pathlib import Path

from handlers.audit import ACTION_NAMES, action_name
from handlers.i18n import Translator

ROOT = Path(__file__).parent.parent.parent


def _recorded_actions() -> set[str]:
    actions: set[str] = set()
    for path in [*(ROOT / "handlers").rglob("*.py"), *(ROOT / "bot").rglob("*.py")]:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call) or len(node.args) < 2:
                continue
            func = node.func
            if isinstance(func, ast.Attribute) and func.attr == "record":
                action = node.args[1]
                if isinstance(action, ast.Constant) and isinstance(action.value, str):
                    actions.add(action.value)
                elif isinstance(action, ast.IfExp):
                    actions |= {
                        branch.value
                        for branch in (action.body, action.orelse)
                        if isinstance(branch, ast.Constant) and isinstance(branch.value, str)
                    }
    return actions


def test_every_recorded_action_has_a_name_a_person_can_read() -> None:
    actions = _recorded_actions()
    assert {"input.given", "step.moved", "process.created"} <= actions  # the scan finds them
    assert sorted(actions - ACTION_NAMES.keys()) == []


def test_an_action_reads_as_words_in_danish_and_english() -> None:
    assert action_name(Translator("da"), "input.given") == "gav input"
    assert action_name(Translator("en"), "input.given") == "gave input"

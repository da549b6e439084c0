"""Each rule's documentation: all sections present, and its examples tested."""

from __future__ import annotations

import textwrap

import pytest

from asyncdb_lint.checker import check_text
from asyncdb_lint.rules import ALL_RULES
from asyncdb_lint.settings import Settings

RULES = [rule for rule in ALL_RULES]


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.code)
def test_example_triggers_the_rule(rule):
    result = check_text(textwrap.dedent(rule.example), settings=Settings(select=(rule.code,)), complete=rule.project_rule)
    assert [d.code for d in result.diagnostics] and {d.code for d in result.diagnostics} == {rule.code}


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.code)
def test_use_instead_is_clean(rule):
    result = check_text(textwrap.dedent(rule.use_instead), settings=Settings(select=("ADB",)), complete=rule.project_rule)
    assert result.diagnostics == []
    assert result.errors == []


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.code)
def test_docs_have_every_section(rule):
    docs = rule.docs()
    for section in ("## What it does", "## Why is this bad?", "## Example", "Use instead:", "## Fix safety"):
        assert section in docs
    assert rule.code in docs and rule.name in docs
    assert rule.name == rule.name.lower() and " " not in rule.name


def test_the_catalogue_says_what_the_rules_say():
    """Configuration and reports read the catalogue so that a cached run needs no rule loaded."""
    from asyncdb_lint.catalogue import RULES as CATALOGUE

    assert [(r.code, r.name, r.default_enabled, r.project_rule, r.deprecated_api) for r in ALL_RULES] == [
        tuple(info) for info in CATALOGUE
    ]


def test_codes_are_unique_and_well_formed():
    codes = [rule.code for rule in ALL_RULES]
    assert len(codes) == len(set(codes))
    assert all(len(code) == 6 and code[:3] == "ADB" and code[3:].isdigit() for code in codes)


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.code)
def test_docs_pages_are_generated_from_the_rules(rule):
    """docs/rules/CODE.md (the pages the `url` fields point at) match `asyncdb-lint rule CODE`.

    Regenerate with: python -c "from asyncdb_lint.rules import ALL_RULES; [open(f'docs/rules/{r.code}.md', 'w').write(r.docs() + '\\n') for r in ALL_RULES]"
    """
    from pathlib import Path

    page = Path(__file__).parent.parent / "docs" / "rules" / f"{rule.code}.md"
    assert page.read_text(encoding="utf-8") == rule.docs() + "\n"

"""What configuration and reports need to know of each rule, without loading the rules.

The rules themselves (rules/) import LibCST and the semantic model; a run whose
every result comes from the cache needs neither, only the codes, names and
defaults. This table is checked against the rule classes by the test suite
(tests/test_rule_docs.py), so it cannot drift from them.
"""

from __future__ import annotations

from typing import Dict, NamedTuple, Tuple


class RuleInfo(NamedTuple):
    code: str
    name: str
    default_enabled: bool = True
    project_rule: bool = False  # needs every file's facts (see rules/base.py)
    deprecated_api: bool = False  # it reports a deprecated API


RULES: Tuple[RuleInfo, ...] = (
    RuleInfo("ADB001", "unparsable-file"),
    RuleInfo("ADB101", "discarded-db-coroutine"),
    RuleInfo("ADB102", "db-coroutine-used-as-data"),
    RuleInfo("ADB103", "sync-iteration-of-db-iterator"),
    RuleInfo("ADB104", "sync-with-of-db-context-manager"),
    RuleInfo("ADB105", "db-coroutine-in-sync-function"),
    RuleInfo("ADB201", "db-handle-per-request"),
    RuleInfo("ADB202", "connect-per-request"),
    RuleInfo("ADB203", "deprecated-on-event", deprecated_api=True),
    RuleInfo("ADB204", "on-event-ignored-by-lifespan"),
    RuleInfo("ADB205", "database-never-connected", project_rule=True),
    RuleInfo("ADB301", "blocking-db-driver-in-async-function"),
    RuleInfo("ADB302", "sync-sqlalchemy-in-async-function"),
    RuleInfo("ADB401", "fstring-sql"),
    RuleInfo("ADB402", "format-sql"),
    RuleInfo("ADB403", "concatenated-sql"),
    RuleInfo("ADB404", "dynamic-sql-identifier"),
    RuleInfo("ADB501", "iterating-one-row"),
    RuleInfo("ADB502", "indexing-rows-by-column"),
    RuleInfo("ADB503", "writes-outside-transaction", default_enabled=False),
)
BY_CODE: Dict[str, RuleInfo] = {rule.code: rule for rule in RULES}

"""The rule registry: every rule module, in code order."""

from typing import Dict, List

from asyncdb_lint.rules.adb001_unparsable_file import UnparsableFile
from asyncdb_lint.rules.adb101_discarded_coroutine import DiscardedCoroutine
from asyncdb_lint.rules.adb102_coroutine_used_as_data import CoroutineUsedAsData
from asyncdb_lint.rules.adb103_sync_iteration import SyncIterationOfAsyncIterator
from asyncdb_lint.rules.adb104_sync_context_manager import SyncWithOfAsyncContextManager
from asyncdb_lint.rules.adb105_async_call_in_sync_function import AsyncCallInSyncFunction
from asyncdb_lint.rules.adb301_blocking_driver import BlockingDriverInAsyncFunction
from asyncdb_lint.rules.adb302_blocking_sqlalchemy import BlockingSqlalchemyInAsyncFunction
from asyncdb_lint.rules.adb401_fstring_sql import FStringSql
from asyncdb_lint.rules.adb402_format_sql import FormatSql
from asyncdb_lint.rules.adb403_concatenated_sql import ConcatenatedSql
from asyncdb_lint.rules.adb404_dynamic_sql_identifier import DynamicSqlIdentifier
from asyncdb_lint.rules.adb501_iterating_one_row import IteratingOneRow
from asyncdb_lint.rules.adb502_indexing_many_rows import IndexingManyRows
from asyncdb_lint.rules.adb201_handle_per_request import HandlePerRequest
from asyncdb_lint.rules.adb202_connect_per_request import ConnectPerRequest
from asyncdb_lint.rules.adb203_on_event import OnEventDeprecated
from asyncdb_lint.rules.adb204_lifespan_with_on_event import LifespanIgnoresOnEvent
from asyncdb_lint.rules.adb205_never_connected import NeverConnected
from asyncdb_lint.rules.adb503_writes_outside_transaction import WritesOutsideTransaction
from asyncdb_lint.rules.base import Finding, Rule

ALL_RULES: List[Rule] = [
    UnparsableFile(),
    DiscardedCoroutine(),
    CoroutineUsedAsData(),
    SyncIterationOfAsyncIterator(),
    SyncWithOfAsyncContextManager(),
    AsyncCallInSyncFunction(),
    HandlePerRequest(),
    ConnectPerRequest(),
    OnEventDeprecated(),
    LifespanIgnoresOnEvent(),
    NeverConnected(),
    BlockingDriverInAsyncFunction(),
    BlockingSqlalchemyInAsyncFunction(),
    FStringSql(),
    FormatSql(),
    ConcatenatedSql(),
    DynamicSqlIdentifier(),
    IteratingOneRow(),
    IndexingManyRows(),
    WritesOutsideTransaction(),
]
RULES_BY_CODE: Dict[str, Rule] = {rule.code: rule for rule in ALL_RULES}

__all__ = ["ALL_RULES", "RULES_BY_CODE", "Finding", "Rule"]

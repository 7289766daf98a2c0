"""Diagnostic output formats for the CLI: text lines, JSON and SARIF 2.1.0."""

from __future__ import annotations

import json
import os
from collections import Counter

from eventapi.generators.diagnostics import Diagnostic, Severity
from eventapi.generators.rules.catalog import CATALOG

_SARIF_LEVEL = {
    Severity.ERROR: "error",
    Severity.WARNING: "warning",
    Severity.INFORMATION: "note",
    Severity.HINT: "note",
}


def display_path(path: str) -> str:
    """Relative to the working directory when below it; builtin and other paths as they are."""
    if path.startswith("<"):
        return path
    try:
        rel = os.path.relpath(path)
    except ValueError:
        return path
    return path if rel.startswith("..") else rel


def summary(diagnostics: list[Diagnostic], files: int) -> str:
    counts = Counter(d.severity for d in diagnostics)
    parts = [
        f"{counts[s]} {s.label}{'' if counts[s] == 1 or s is Severity.INFORMATION else 's'}"
        for s in (Severity.ERROR, Severity.WARNING, Severity.INFORMATION, Severity.HINT)
        if counts[s] or s in (Severity.ERROR, Severity.WARNING)
    ]
    return f"{', '.join(parts)} in {files} file{'s' if files != 1 else ''}"


def as_text(diagnostics: list[Diagnostic]) -> str:
    return "".join(d.format(display_path(d.path)) + "\n" for d in diagnostics)


def as_json(diagnostics: list[Diagnostic]) -> str:
    items = [
        {
            "path": display_path(d.path),
            "line": d.span.start_line + 1,
            "column": d.span.start_col + 1,
            "endLine": d.span.end_line + 1,
            "endColumn": d.span.end_col + 1,
            "severity": d.severity.label,
            "code": d.code,
            "message": d.message,
            "fixes": [
                {
                    "title": fx.title,
                    "edits": [
                        {
                            "path": display_path(e.path),
                            "line": e.span.start_line + 1,
                            "column": e.span.start_col + 1,
                            "endLine": e.span.end_line + 1,
                            "endColumn": e.span.end_col + 1,
                            "newText": e.new_text,
                        }
                        for e in fx.edits
                    ],
                }
                for fx in d.fixes
            ],
        }
        for d in diagnostics
    ]
    return json.dumps(items, indent=2) + "\n"


def as_sarif(diagnostics: list[Diagnostic], version: str) -> str:
    codes = sorted(CATALOG)
    rules = [
        {
            "id": code,
            "shortDescription": {"text": CATALOG[code][1]},
            "defaultConfiguration": {"level": _SARIF_LEVEL[CATALOG[code][0]]},
        }
        for code in codes
    ]
    results = [
        {
            "ruleId": d.code,
            "ruleIndex": codes.index(d.code),
            "level": _SARIF_LEVEL[d.severity],
            "message": {"text": d.message},
            "locations": [
                {
                    "physicalLocation": {
                        "artifactLocation": {"uri": display_path(d.path).replace(os.sep, "/")},
                        "region": {
                            "startLine": d.span.start_line + 1,
                            "startColumn": d.span.start_col + 1,
                            "endLine": d.span.end_line + 1,
                            "endColumn": d.span.end_col + 1,
                        },
                    }
                }
            ],
        }
        for d in diagnostics
    ]
    doc = {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "eventapi-lsp",
                        "version": version,
                        "informationUri": "https://github.com/eventapi/eventapi-go",
                        "rules": rules,
                    }
                },
                "results": results,
            }
        ],
    }
    return json.dumps(doc, indent=2) + "\n"

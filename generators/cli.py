"""`eventapi-lsp`: the headless front end (--check, --generate) and the language server launcher.

Exit codes: 0 clean or warnings only; 1 errors, or stale outputs under --check --out;
2 usage or I/O errors.
"""

from __future__ import annotations

import argparse
import gc
import importlib
import sys
from importlib import metadata
from pathlib import Path
from typing import NoReturn

from eventapi.generators.diagnostics import Diagnostic, Severity
from eventapi.generators.output import stale_outputs, write_outputs
from eventapi.generators.pipeline import load_and_check, render
from eventapi.generators.registry import FLINK_VERSIONS, GenerateOptions
from eventapi.generators.report import as_json, as_sarif, as_text, display_path, summary
from eventapi.generators.rules.engine import Config, find_config, load_config

USAGE_ERROR = 2


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(USAGE_ERROR, f"{self.prog}: error: {message}\n")


def version() -> str:
    try:
        return metadata.version("eventapi")
    except metadata.PackageNotFoundError:
        return "0+unknown"


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(
        prog="eventapi-lsp",
        description="EventAPI: check annotated .proto files, generate SDKs and SQL, or serve LSP.",
        epilog="With no --check/--generate it runs the language server on stdio.",
    )
    mode = p.add_argument_group("modes")
    mode.add_argument(
        "--check", action="store_true", help="report diagnostics (and stale outputs with --out)"
    )
    mode.add_argument("--generate", action="store_true", help="write generated files under --out")
    mode.add_argument(
        "--stdio", action="store_true", help="run the language server on stdio (default)"
    )
    mode.add_argument(
        "--tcp", type=int, metavar="PORT", help="run the language server on 127.0.0.1:PORT"
    )
    p.add_argument("paths", nargs="*", metavar="PATH", help=".proto files or folders")
    p.add_argument(
        "-I",
        "--include",
        action="append",
        default=[],
        metavar="DIR",
        help="import root (repeatable; default: the given folders)",
    )
    p.add_argument("--out", metavar="DIR", help="output root for --generate (default: gen)")
    p.add_argument(
        "--only",
        action="append",
        default=[],
        metavar="NAME",
        help="run only this generator: sdk or sink (repeatable)",
    )
    p.add_argument(
        "--format", choices=("text", "json", "sarif"), default="text", help="diagnostics format"
    )
    p.add_argument(
        "--flink-version",
        choices=FLINK_VERSIONS,
        default="2.3",
        help="Flink version the pipeline targets",
    )
    p.add_argument(
        "--config", metavar="FILE", help="severity config (default: nearest eventapi.toml)"
    )
    p.add_argument("-q", "--quiet", action="store_true", help="print only problems and the summary")
    p.add_argument("--version", action="version", version=f"eventapi-lsp {version()}")
    return p


def _config(args: argparse.Namespace) -> tuple[Config, list[str]]:
    if args.config:
        path = Path(args.config)
        if not path.is_file():
            return Config(), [f"{args.config}: no such config file"]
        return load_config(path)
    start = Path(args.paths[0]) if args.paths else Path.cwd()
    found = find_config(start.resolve())
    return load_config(found) if found else (Config(), [])


def _print_diagnostics(diagnostics: list[Diagnostic], fmt: str, files: int) -> None:
    if fmt == "json":
        sys.stdout.write(as_json(diagnostics))
    elif fmt == "sarif":
        sys.stdout.write(as_sarif(diagnostics, version()))
    else:
        sys.stdout.write(as_text(diagnostics))
        sys.stdout.write(summary(diagnostics, files) + "\n")


def run_headless(args: argparse.Namespace) -> int:
    if not args.paths:
        print("eventapi-lsp: error: give at least one .proto file or folder", file=sys.stderr)
        return USAGE_ERROR
    missing = [p for p in args.paths + args.include if not Path(p).exists()]
    if missing:
        for p in missing:
            print(f"eventapi-lsp: error: {p}: no such file or directory", file=sys.stderr)
        return USAGE_ERROR
    config, problems = _config(args)
    for problem in problems:
        print(f"eventapi-lsp: error: {problem}", file=sys.stderr)
    if problems:
        return USAGE_ERROR
    checked = load_and_check(args.paths, args.include, config)
    if not checked.workspace.targets:
        print(
            "eventapi-lsp: error: no .proto files under " + ", ".join(args.paths), file=sys.stderr
        )
        return USAGE_ERROR
    diagnostics = list(checked.diagnostics)
    io_error = any(
        d.code == "EA002" and d.span.end_line == 0 and d.message.startswith("cannot read")
        for d in diagnostics
    )
    options = GenerateOptions(flink_version=args.flink_version)
    only = tuple(x.strip() for item in args.only for x in item.split(",") if x.strip())
    out = args.out or "gen"
    if args.generate or (args.check and args.out):
        try:
            outputs, skipped = render(checked, only, options)
        except KeyError as exc:
            print(f"eventapi-lsp: error: {exc.args[0]}", file=sys.stderr)
            return USAGE_ERROR
        if args.generate:
            report = write_outputs(out, outputs)
            diagnostics.extend(report.problems)
            if not args.quiet and args.format == "text":
                for path in report.written:
                    print(f"wrote {display_path(path)}")
                for path in report.removed:
                    print(f"removed {display_path(path)} (no longer generated)")
                if report.unchanged:
                    print(f"{len(report.unchanged)} file(s) unchanged under {out}")
                for path in skipped:
                    print(f"skipped {display_path(path)}: it has errors")
            if any(d.code == "EA901" and "cannot" in d.message for d in report.problems):
                io_error = True
        else:
            diagnostics.extend(stale_outputs(out, outputs))
    _print_diagnostics(diagnostics, args.format, len(checked.workspace.targets))
    if io_error:
        return USAGE_ERROR
    return 1 if any(d.severity == Severity.ERROR for d in diagnostics) else 0


def run_server(args: argparse.Namespace) -> int:
    try:
        # Imported by name: the server is an optional extra (and mypy need not see it here).
        serve = importlib.import_module("eventapi.server.main").serve
    except ImportError as exc:
        print(
            f"eventapi-lsp: the language server needs the 'lsp' extra ({exc}); "
            "install it with: pip install 'eventapi[lsp]'",
            file=sys.stderr,
        )
        return USAGE_ERROR
    serve(tcp_port=args.tcp)
    return 0


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.check or args.generate:
        # A short-lived batch run: the cyclic collector only costs time here (see Loader.load).
        collecting = gc.isenabled()
        gc.disable()
        try:
            return run_headless(args)
        except KeyboardInterrupt:
            return 130
        finally:
            if collecting:
                gc.enable()
    return run_server(args)


if __name__ == "__main__":
    sys.exit(main())

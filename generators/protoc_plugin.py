"""protoc/buf plugins `protoc-gen-eventapi-python` (sdk) and `protoc-gen-eventapi-sink` (sink).

Each reads a CodeGeneratorRequest on stdin, re-creates the requested files' proto text from
their descriptors (plugin_source.py), runs the same load -> check -> render path as
`eventapi-lsp --generate --only sdk|sink`, and writes a CodeGeneratorResponse: the generated
files, or every diagnostic when a file has errors. `EVENTAPI_PLUGIN_DUMP=<file or dir>` saves
the raw request; `--replay FILE` runs a saved request outside protoc (e.g. in a debugger).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from google.protobuf import message
from google.protobuf.compiler import plugin_pb2

from eventapi.generators.diagnostics import Diagnostic, Severity
from eventapi.generators.loader import Loader
from eventapi.generators.model.schema import builtin_sources
from eventapi.generators.output import write_outputs
from eventapi.generators.pipeline import Checked, render
from eventapi.generators.plugin_names import NameTable, relative_extension
from eventapi.generators.plugin_options import OptionDecoder
from eventapi.generators.plugin_source import UnsupportedProtoError, recreate
from eventapi.generators.plugin_writer import Recreated
from eventapi.generators.registry import FLINK_VERSIONS, GenerateOptions, OutputFile
from eventapi.generators.rules.engine import Config, check, find_config, load_config

DUMP_ENV = "EVENTAPI_PLUGIN_DUMP"
PROGRAMS = {"sdk": "protoc-gen-eventapi-python", "sink": "protoc-gen-eventapi-sink"}


@dataclass(frozen=True)
class Params:
    """Plugin parameters: buf.gen.yaml `opt:` or protoc `--eventapi-sink_opt=`."""

    flink_version: str = "2.3"
    config: str | None = None  # a severity config file; default: nearest eventapi.toml to cwd


def parse_params(text: str) -> tuple[Params, list[str]]:
    """`key=value` pairs separated by commas; returns the parameters and the problems found."""
    values: dict[str, str] = {}
    problems: list[str] = []
    for raw in text.split(","):
        item = raw.strip()
        if not item:
            continue
        key, sep, value = item.partition("=")
        key, value = key.strip(), value.strip()
        if not sep or not value:
            problems.append(f"parameter {item!r} needs a value: use key=value")
        elif key not in ("flink_version", "config"):
            problems.append(f"unknown parameter {key!r}; known: flink_version, config")
        else:
            values[key] = value
    flink = values.get("flink_version", "2.3")
    if flink not in FLINK_VERSIONS:
        problems.append(
            f"flink_version={flink} is not supported; use {' or '.join(FLINK_VERSIONS)}"
        )
        flink = "2.3"
    return Params(flink, values.get("config")), problems


@dataclass
class Result:
    response: plugin_pb2.CodeGeneratorResponse
    warnings: list[str] = field(default_factory=list)  # for stderr when generation succeeded
    sources: dict[str, Recreated] = field(default_factory=dict)


def recreate_request(request: plugin_pb2.CodeGeneratorRequest) -> dict[str, Recreated]:
    """Proto text for every user file in the request (the IDL and well-known types are built in)."""
    names = NameTable(request.proto_file)
    options = OptionDecoder(
        request.proto_file, lambda full, scope: relative_extension(names, full, scope)
    )
    builtin = builtin_sources()
    return {
        f.name: recreate(f, names, options) for f in request.proto_file if f.name not in builtin
    }


def _config(params: Params) -> tuple[Config, list[str]]:
    if params.config:
        path = Path(params.config)
        if not path.is_file():
            return Config(), [f"config={params.config}: no such file"]
        return load_config(path)
    found = find_config(Path.cwd())
    return load_config(found) if found else (Config(), [])


def run(request: plugin_pb2.CodeGeneratorRequest, only: str) -> Result:
    """The response for `request` from generator `only` ("sdk" or "sink")."""
    response = plugin_pb2.CodeGeneratorResponse(
        supported_features=plugin_pb2.CodeGeneratorResponse.FEATURE_PROTO3_OPTIONAL
    )
    result = Result(response)
    params, problems = parse_params(request.parameter)
    config, config_problems = _config(params)
    problems += config_problems
    if problems:
        response.error = "\n".join(f"{PROGRAMS[only]}: {p}" for p in problems)
        return result
    try:
        result.sources = recreate_request(request)
    except UnsupportedProtoError as exc:
        response.error = f"{PROGRAMS[only]}: {exc}"
        return result
    with tempfile.TemporaryDirectory(prefix="eventapi-plugin-") as tmp:
        root = os.path.realpath(tmp)
        overlay: dict[str, str] = {}
        for name, rec in result.sources.items():
            path = os.path.join(root, *name.split("/"))
            # On disk too: a renderer may hand the files to protoc (PROTOBUF events).
            os.makedirs(os.path.dirname(path), exist_ok=True)
            Path(path).write_text(rec.text, encoding="utf-8")
            overlay[path] = rec.text
        targets = sorted(
            os.path.join(root, *name.split("/"))
            for name in request.file_to_generate
            if name in result.sources
        )
        ws, io_problems = Loader([root]).load(targets, overlay)
        diagnostics = sorted([*io_problems, *check(ws, config)], key=Diagnostic.sort_key)
        lines = _located(diagnostics, root, result.sources)
        if any(d.severity == Severity.ERROR for d in diagnostics):
            response.error = "\n".join(lines)
            return result
        result.warnings = lines
        try:
            outputs, _ = render(Checked(ws, diagnostics), (only,), _options(params))
        except KeyError as exc:
            response.error = f"{PROGRAMS[only]}: {exc.args[0]}"
            return result
    for out in outputs:
        response.file.add(name=out.path, content=out.content)
    return result


def _options(params: Params) -> GenerateOptions:
    return GenerateOptions(flink_version=params.flink_version)


def _located(diagnostics: list[Diagnostic], root: str, sources: dict[str, Recreated]) -> list[str]:
    """`file:line:col: severity CODE: message`, positions mapped back to the original files."""
    rows: list[tuple[str, int, int, str]] = []
    for d in diagnostics:
        name = d.path
        line, col = d.span.start_line, d.span.start_col
        if d.path.startswith(root + os.sep):
            name = os.path.relpath(d.path, root).replace(os.sep, "/")
            rec = sources.get(name)
            mapped = rec.original_position(line, col) if rec is not None else None
            if mapped is not None:
                line, col = mapped
        text = f"{name}:{line + 1}:{col + 1}: {d.severity.label} {d.code}: {d.message}"
        rows.append((name, line, col, text))
    rows.sort()
    return [r[3] for r in rows]


# -- entry points --------------------------------------------------------------------------------


def _dump(data: bytes, prog: str) -> None:
    target = os.environ.get(DUMP_ENV)
    if not target:
        return
    path = Path(target)
    if path.is_dir():
        path = path / f"{prog}.request.bin"
    try:
        path.write_bytes(data)
    except OSError as exc:
        print(f"{prog}: warning: cannot write {DUMP_ENV}={target}: {exc}", file=sys.stderr)


def _parse(data: bytes, prog: str, source: str) -> plugin_pb2.CodeGeneratorRequest | None:
    try:
        return plugin_pb2.CodeGeneratorRequest.FromString(data)
    except message.DecodeError:
        print(
            f"{prog}: error: {source} is not a CodeGeneratorRequest "
            "(run this plugin from protoc or buf generate, or use --replay FILE)",
            file=sys.stderr,
        )
        return None


def _safe_run(request: plugin_pb2.CodeGeneratorRequest, only: str) -> Result:
    try:
        return run(request, only)
    except Exception as exc:  # a plugin must answer with an error, not die with a traceback
        response = plugin_pb2.CodeGeneratorResponse()
        response.error = (
            f"{PROGRAMS[only]}: internal error: {type(exc).__name__}: {exc}; "
            f"rerun with {DUMP_ENV}=request.bin and report the file"
        )
        return Result(response)


def serve(only: str) -> int:
    """The plugin protocol: request on stdin, response on stdout."""
    prog = PROGRAMS[only]
    if sys.stdin.isatty():
        print(f"{prog}: a protoc plugin; run it from protoc or buf generate", file=sys.stderr)
        return 2
    data = sys.stdin.buffer.read()
    _dump(data, prog)
    request = _parse(data, prog, "stdin")
    if request is None:
        return 1
    result = _safe_run(request, only)
    for line in result.warnings:
        print(line, file=sys.stderr)
    sys.stdout.buffer.write(result.response.SerializeToString())
    sys.stdout.buffer.flush()
    return 0


def replay(path: str, only: str, show_sources: bool, out: str | None) -> int:
    """Run a dumped request and print a summary (files, or the error) instead of a response."""
    prog = PROGRAMS[only]
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        print(f"{prog}: error: cannot read {path}: {exc.strerror or exc}", file=sys.stderr)
        return 2
    request = _parse(data, prog, path)
    if request is None:
        return 2
    print(
        f"request: {len(request.proto_file)} proto file(s); generate: "
        f"{', '.join(request.file_to_generate) or '(none)'}; parameter: {request.parameter!r}"
    )
    result = _safe_run(request, only)
    if show_sources:
        for name, rec in result.sources.items():
            print(f"----- {name} (re-created) -----")
            print(rec.text, end="")
    for line in result.warnings:
        print(line)
    response = result.response
    if response.error:
        print("error:")
        print(response.error)
        return 1
    print(f"{len(response.file)} file(s) from generator {only}:")
    for f in response.file:
        print(f"  {f.name} ({len(f.content.encode('utf-8'))} bytes)")
    if out:
        files = [OutputFile(f.name, f.content, "") for f in response.file]
        report = write_outputs(out, files, prune=False)
        for problem in report.problems:
            print(problem.format())
        print(f"wrote {len(report.written)}, unchanged {len(report.unchanged)} under {out}")
        if report.problems:
            return 1
    return 0


def main(only: str, argv: list[str] | None = None) -> int:
    args_list = sys.argv[1:] if argv is None else argv
    if not args_list:
        return serve(only)
    p = argparse.ArgumentParser(
        prog=PROGRAMS[only],
        description="EventAPI protoc plugin. protoc and buf run it with no arguments; "
        f"with --replay it runs a request saved by {DUMP_ENV}.",
    )
    p.add_argument("--replay", metavar="FILE", required=True, help="a dumped CodeGeneratorRequest")
    p.add_argument("--only", choices=sorted(PROGRAMS), default=only, help="generator to run")
    p.add_argument("--sources", action="store_true", help="print the re-created proto sources")
    p.add_argument("--out", metavar="DIR", help="also write the generated files under DIR")
    args = p.parse_args(args_list)
    return replay(args.replay, args.only, args.sources, args.out)


def main_python() -> int:
    return main("sdk")


def main_sink() -> int:
    return main("sink")


if __name__ == "__main__":
    sys.exit(main("sdk"))

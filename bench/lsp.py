"""Language-server benchmark: eventapi-lsp beside `buf lsp serve` on the same files and edits.

Both servers get the same generated ~5,000-line proto (bench.protogen.make_proto) in a buf v2
workspace, the same plain stdio JSON-RPC client, and the same edits. Measured: open -> first
diagnostics, one-line edit -> diagnostics (p50/p95 over 50 edits), hover latency, and peak RSS
(VmHWM) with a 200-file workspace, all files open.

Run: .venv/bin/python -m bench.lsp   (prints a table; the README quotes its latest figures)
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.protogen import edit_lines, make_proto

OPEN_RUNS = 5
EDITS = 50
HOVERS = 50
FILES = 200
IDL = Path(__file__).resolve().parents[1] / "proto" / "eventapi"
BUF = Path(sys.executable).with_name("buf")
SERVERS = {
    "eventapi-lsp": [sys.executable, "-m", "eventapi.server"],
    "buf lsp serve": [str(BUF), "lsp", "serve"],
}


class Client:
    """The smallest LSP client: requests with ids, notifications, answers to server requests."""

    def __init__(self, proc: asyncio.subprocess.Process) -> None:
        self.proc = proc
        self.next_id = 0
        self.pending: dict[int, asyncio.Future[Any]] = {}
        self.diagnostics: dict[str, list[tuple[float, int | None, list[Any]]]] = {}
        self.event = asyncio.Event()
        self.incremental = False
        self.reader = asyncio.create_task(self._read())

    @classmethod
    async def start(cls, cmd: list[str], cwd: Path) -> Client:
        proc = await asyncio.create_subprocess_exec(
            *cmd,
            cwd=cwd,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.DEVNULL,
        )
        return cls(proc)

    def _send(self, msg: dict[str, Any]) -> None:
        body = json.dumps(msg).encode()
        assert self.proc.stdin is not None
        self.proc.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)

    async def _read(self) -> None:
        out = self.proc.stdout
        assert out is not None
        while True:
            length = 0
            while True:
                line = await out.readline()
                if not line:
                    return
                if line in (b"\r\n", b"\n"):
                    break
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":")[1])
            msg = json.loads(await out.readexactly(length))
            if "id" in msg and "method" in msg:  # a request from the server
                result: Any = (
                    [None] * len(msg["params"]["items"])
                    if msg["method"] == "workspace/configuration"
                    else None
                )
                self._send({"jsonrpc": "2.0", "id": msg["id"], "result": result})
            elif "id" in msg:
                fut = self.pending.pop(msg["id"], None)
                if fut is not None and not fut.done():
                    fut.set_result(msg.get("result"))
            elif msg.get("method") == "textDocument/publishDiagnostics":
                p = msg["params"]
                self.diagnostics.setdefault(p["uri"], []).append(
                    (time.perf_counter(), p.get("version"), p["diagnostics"])
                )
                self.event.set()

    async def request(self, method: str, params: Any) -> Any:
        self.next_id += 1
        fut: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self.pending[self.next_id] = fut
        self._send({"jsonrpc": "2.0", "id": self.next_id, "method": method, "params": params})
        return await asyncio.wait_for(fut, 120)

    def notify(self, method: str, params: Any) -> None:
        self._send({"jsonrpc": "2.0", "method": method, "params": params})

    async def publish_after(self, uri: str, count: int) -> float:
        """The time of the first publish for `uri` beyond the first `count` ones."""
        while len(self.diagnostics.get(uri, [])) <= count:
            self.event.clear()
            await asyncio.wait_for(self.event.wait(), 120)
        return self.diagnostics[uri][count][0]

    async def initialize(self, root: Path) -> None:
        uri = root.as_uri()
        result = await self.request(
            "initialize",
            {
                "processId": os.getpid(),
                "rootUri": uri,
                "workspaceFolders": [{"uri": uri, "name": root.name}],
                "capabilities": {"textDocument": {"hover": {"contentFormat": ["markdown"]}}},
            },
        )
        self.notify("initialized", {})
        sync = result["capabilities"].get("textDocumentSync", 1)
        self.incremental = (sync.get("change") if isinstance(sync, dict) else sync) == 2

    def change(self, uri: str, version: int, text: str, line: int, old_len: int, new: str) -> str:
        """Replace the start of `line` (old_len characters); incremental when the server allows."""
        lines = text.split("\n")
        lines[line] = new + lines[line][old_len:]
        updated = "\n".join(lines)
        if self.incremental:
            rng = {
                "start": {"line": line, "character": 0},
                "end": {"line": line, "character": old_len},
            }
            changes: list[dict[str, Any]] = [{"range": rng, "text": new}]
        else:
            changes = [{"text": updated}]  # buf asks for full-text sync
        self.notify(
            "textDocument/didChange",
            {"textDocument": {"uri": uri, "version": version}, "contentChanges": changes},
        )
        return updated

    async def close(self) -> None:
        try:
            await asyncio.wait_for(self.request("shutdown", None), 10)
            self.notify("exit", None)
            await asyncio.wait_for(self.proc.wait(), 10)
        except (TimeoutError, ConnectionError):
            self.proc.kill()
        self.reader.cancel()


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def workspace(root: Path, files: dict[str, str]) -> None:
    """A buf v2 workspace: our files in src/, the IDL in idl/ (buf needs it on disk)."""
    (root / "src").mkdir(parents=True)
    (root / "buf.yaml").write_text("version: v2\nmodules:\n  - path: src\n  - path: idl\n")
    shutil.copytree(IDL, root / "idl" / "eventapi")
    for name, text in files.items():
        (root / "src" / name).parent.mkdir(parents=True, exist_ok=True)
        (root / "src" / name).write_text(text)


def pct(values: list[float], q: float) -> float:
    return (
        statistics.quantiles(values, n=100, method="inclusive")[q - 1]
        if len(values) > 1
        else values[0]
    )


async def open_only(name: str, cmd: list[str], root: Path, text: str) -> float:
    """One fresh server: initialize, open the file, time to its first diagnostics (ms)."""
    folder = root / "src" if name == "eventapi-lsp" else root
    client = await Client.start(cmd, folder)
    await client.initialize(folder)
    uri = (root / "src" / "bench.proto").as_uri()
    t0 = time.perf_counter()
    client.notify(
        "textDocument/didOpen",
        {"textDocument": {"uri": uri, "languageId": "proto", "version": 1, "text": text}},
    )
    elapsed = await client.publish_after(uri, 0) - t0
    await client.close()
    return elapsed * 1000


async def single_file(name: str, cmd: list[str], root: Path, text: str) -> dict[str, float]:
    # Our server gets src/ as its folder (the IDL ships with it); buf gets the buf workspace root.
    folder = root / "src" if name == "eventapi-lsp" else root
    client = await Client.start(cmd, folder)
    await client.initialize(folder)
    path = root / "src" / "bench.proto"
    uri = path.as_uri()
    t0 = time.perf_counter()
    client.notify(
        "textDocument/didOpen",
        {"textDocument": {"uri": uri, "languageId": "proto", "version": 1, "text": text}},
    )
    t_open = await client.publish_after(uri, 0) - t0
    # Let any start-up work settle, then count publishes from here.
    await asyncio.sleep(1.0)
    lines = edit_lines(text)
    current = text
    edits: list[float] = []
    version = 1
    for i in range(EDITS):
        line = lines[((i // 2) * 7) % len(lines)]  # edit a line, then restore it
        count = len(client.diagnostics.get(uri, []))
        version += 1
        new = f"  string name = 2; // edited {i}" if i % 2 == 0 else "  string name = 2;"
        old_len = len(current.split("\n")[line])
        t0 = time.perf_counter()
        current = client.change(uri, version, current, line, old_len, new)
        edits.append(await client.publish_after(uri, count) - t0)
        await asyncio.sleep(0.15)  # a quiet moment between separate edits
    # Hover over the rpc input types (both servers answer with the message).
    rpc_lines = [
        (i, ln.index("(Event") + 2)
        for i, ln in enumerate(text.splitlines())
        if "rpc SendEvent" in ln
    ]
    hovers: list[float] = []
    for i in range(HOVERS):
        line, col = rpc_lines[(i * 13) % len(rpc_lines)]
        t0 = time.perf_counter()
        result = await client.request(
            "textDocument/hover",
            {"textDocument": {"uri": uri}, "position": {"line": line, "character": col}},
        )
        hovers.append(time.perf_counter() - t0)
        assert result is not None, f"{name}: no hover"
    # Close and open again: the server has seen the workspace (warm), the text is new to it.
    client.notify("textDocument/didClose", {"textDocument": {"uri": uri}})
    await asyncio.sleep(0.5)
    count = len(client.diagnostics.get(uri, []))
    t0 = time.perf_counter()
    client.notify(
        "textDocument/didOpen",
        {"textDocument": {"uri": uri, "languageId": "proto", "version": 100, "text": current}},
    )
    t_reopen = await client.publish_after(uri, count) - t0
    rss = peak_rss_mb(client.proc.pid)
    await client.close()
    return {
        "open": t_open * 1000,
        "reopen": t_reopen * 1000,
        "edit_p50": pct(edits, 50) * 1000,
        "edit_p95": pct(edits, 95) * 1000,
        "hover_p50": pct(hovers, 50) * 1000,
        "hover_p95": pct(hovers, 95) * 1000,
        "rss_single": rss,
    }


async def many_files(name: str, cmd: list[str], root: Path, files: dict[str, str]) -> float:
    folder = root / "src" if name == "eventapi-lsp" else root
    client = await Client.start(cmd, folder)
    await client.initialize(folder)
    uris = []
    for rel, text in files.items():
        uri = (root / "src" / rel).as_uri()
        uris.append(uri)
        client.notify(
            "textDocument/didOpen",
            {"textDocument": {"uri": uri, "languageId": "proto", "version": 1, "text": text}},
        )
    for uri in uris:
        await client.publish_after(uri, 0)
    await asyncio.sleep(1.0)
    rss = peak_rss_mb(client.proc.pid)
    await client.close()
    return rss


async def main() -> None:
    text = make_proto(280)
    n_lines = text.count("\n")
    many = {f"pkg{i:03d}/events.proto": make_proto(25, package=i + 2) for i in range(FILES)}
    results: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        one = Path(tmp) / "one"
        workspace(one, {"bench.proto": text})
        big = Path(tmp) / "many"
        workspace(big, many)
        for name, cmd in SERVERS.items():
            results[name] = await single_file(name, cmd, one, text)
            # One open per fresh server is a noisy sample: report the median of several.
            opens = [results[name]["open"]]
            opens += [await open_only(name, cmd, one, text) for _ in range(OPEN_RUNS - 1)]
            results[name]["open"] = statistics.median(opens)
            results[name]["rss_200"] = await many_files(name, cmd, big, many)
    ours, buf = results["eventapi-lsp"], results["buf lsp serve"]
    many_lines = sum(t.count("\n") for t in many.values())
    print(
        f"bench/lsp.py: {n_lines}-line proto, {EDITS} one-line edits, {HOVERS} hovers; {FILES} files ({many_lines} lines) for RSS"
    )
    print(f"{'metric':34} {'eventapi-lsp':>14} {'buf lsp serve':>14}  bar")
    rows = [
        (
            f"open -> first diagnostics, median of {OPEN_RUNS} (ms)",
            "open",
            f"<= 1.5x buf ({1.5 * buf['open']:.0f})",
        ),
        ("re-open -> diagnostics (ms)", "reopen", ""),
        ("edit -> diagnostics p50 (ms)", "edit_p50", f"<= 0.5x buf ({0.5 * buf['edit_p50']:.0f})"),
        ("edit -> diagnostics p95 (ms)", "edit_p95", ""),
        ("hover p50 (ms)", "hover_p50", "<= 30"),
        ("hover p95 (ms)", "hover_p95", ""),
        ("peak RSS, 1 file (MB)", "rss_single", ""),
        (f"peak RSS, {FILES} files open (MB)", "rss_200", "<= 250"),
    ]
    for label, key, bar in rows:
        print(f"{label:34} {ours[key]:14.1f} {buf[key]:14.1f}  {bar}")
    print(json.dumps(results))


if __name__ == "__main__":
    asyncio.run(main())

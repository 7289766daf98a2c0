// Server command resolution: explicit settings, PATH, the workspace .venv, and the error text.
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, it } from "node:test";

import type { MachineView } from "../common/serverCommand";
import { describeCommand, findOnPath, isResolveFailure, resolveServerCommand } from "../common/serverCommand";

function machine(executables: string[], overrides: Partial<MachineView> = {}): MachineView {
  const set = new Set(executables);
  return {
    pathEnv: "/usr/local/bin:/usr/bin",
    pathExt: undefined,
    platform: "linux",
    isExecutable: (file) => set.has(file),
    workspaceFolders: ["/ws"],
    ...overrides,
  };
}

const noSettings = { serverPath: "", pythonPath: "" };

describe("resolveServerCommand", () => {
  it("uses server.path as given, even when eventapi-lsp is on PATH", () => {
    const resolved = resolveServerCommand(
      { serverPath: "/opt/eventapi/bin/eventapi-lsp", pythonPath: "/usr/bin/python3" },
      machine(["/usr/bin/eventapi-lsp"]),
    );
    assert.deepEqual(resolved, { command: "/opt/eventapi/bin/eventapi-lsp", args: [], source: "server.path" });
  });

  it("runs the module with server.pythonPath", () => {
    const resolved = resolveServerCommand(
      { serverPath: "", pythonPath: "/ws/.venv/bin/python" },
      machine(["/usr/bin/eventapi-lsp"]),
    );
    assert.deepEqual(resolved, {
      command: "/ws/.venv/bin/python",
      args: ["-m", "eventapi.server"],
      source: "server.pythonPath",
    });
  });

  it("takes the first eventapi-lsp on PATH", () => {
    const resolved = resolveServerCommand(
      noSettings,
      machine(["/usr/bin/eventapi-lsp", "/usr/local/bin/eventapi-lsp", "/ws/.venv/bin/eventapi-lsp"]),
    );
    assert.deepEqual(resolved, { command: "/usr/local/bin/eventapi-lsp", args: [], source: "PATH" });
  });

  it("falls back to the workspace .venv", () => {
    const resolved = resolveServerCommand(noSettings, machine(["/ws/.venv/bin/eventapi-lsp"]));
    assert.deepEqual(resolved, { command: "/ws/.venv/bin/eventapi-lsp", args: [], source: "workspace .venv" });
  });

  it("explains how to fix a missing server", () => {
    const resolved = resolveServerCommand(noSettings, machine([], { pathEnv: undefined }));
    assert.ok(isResolveFailure(resolved));
    assert.match(resolved.error, /eventapi\.server\.path/);
    assert.match(resolved.error, /eventapi\.server\.pythonPath/);
    assert.match(resolved.error, /pip install/);
  });

  it("finds .exe and .cmd on Windows through PATHEXT", () => {
    const windows = machine(["C:\\tools\\eventapi-lsp.exe", "C:\\ws\\.venv\\Scripts\\eventapi-lsp.exe"], {
      platform: "win32",
      pathEnv: "C:\\Windows;C:\\tools",
      pathExt: ".COM;.EXE;.CMD",
      workspaceFolders: ["C:\\ws"],
    });
    assert.deepEqual(resolveServerCommand(noSettings, windows), {
      command: "C:\\tools\\eventapi-lsp.exe",
      args: [],
      source: "PATH",
    });
    assert.deepEqual(resolveServerCommand(noSettings, { ...windows, pathEnv: "C:\\Windows" }), {
      command: "C:\\ws\\.venv\\Scripts\\eventapi-lsp.exe",
      args: [],
      source: "workspace .venv",
    });
  });
});

describe("findOnPath", () => {
  it("finds a real executable file and ignores non-executable ones", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "eventapi-path-"));
    const first = path.join(dir, "first");
    const second = path.join(dir, "second");
    fs.mkdirSync(first);
    fs.mkdirSync(second);
    fs.writeFileSync(path.join(first, "eventapi-lsp"), "#!/bin/sh\n", { mode: 0o644 });
    fs.writeFileSync(path.join(second, "eventapi-lsp"), "#!/bin/sh\n", { mode: 0o755 });
    const real: MachineView = {
      pathEnv: `${first}:${second}`,
      pathExt: undefined,
      platform: "linux",
      isExecutable: (file) => {
        try {
          fs.accessSync(file, fs.constants.X_OK);
          return fs.statSync(file).isFile();
        } catch {
          return false;
        }
      },
      workspaceFolders: [],
    };
    try {
      // root may execute any file with one x bit; the 0644 file has none, so it is skipped.
      assert.equal(findOnPath("eventapi-lsp", real), path.join(second, "eventapi-lsp"));
      assert.equal(findOnPath("no-such-tool", real), undefined);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("skips empty PATH entries", () => {
    assert.equal(findOnPath("eventapi-lsp", machine(["eventapi-lsp"], { pathEnv: "::" })), undefined);
  });
});

describe("describeCommand", () => {
  it("quotes parts with spaces", () => {
    assert.equal(
      describeCommand({ command: "/My Tools/python", args: ["-m", "eventapi.server"], source: "server.pythonPath" }),
      '"/My Tools/python" -m eventapi.server',
    );
  });
});

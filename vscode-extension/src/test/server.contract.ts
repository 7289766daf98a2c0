// The extension's requests against the real eventapi-lsp: the same argument builders and result
// checks the commands use, over a real stdio connection (run by `npm run test:server`).
import * as assert from "node:assert/strict";
import { spawn } from "node:child_process";
import type { ChildProcessWithoutNullStreams } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { pathToFileURL } from "node:url";
import { after, before, describe, it } from "node:test";
import { createMessageConnection, StreamMessageReader, StreamMessageWriter } from "vscode-jsonrpc/node";
import type { MessageConnection } from "vscode-jsonrpc/node";

import { answerConfigurationItems } from "../common/configuration";
import type { ConfigurationItemLike } from "../common/configuration";
import { buildGenerateArgs, GENERATE_COMMAND, parseGenerateResult, parsePreviewResult, PREVIEW_REQUEST } from "../common/protocol";
import type { PreviewKind } from "../common/protocol";
import { parsePreviewQuery, previewLocation } from "../common/previewUri";
import { defaultServerSettings } from "../common/settings";

const REPO = path.resolve(__dirname, "..", "..", "..");
const FIXTURE = path.join(REPO, "tests", "editors", "testdata", "orders_valid.proto");
const BROKEN = path.join(REPO, "tests", "editors", "testdata", "EA003_unknown_option.proto");

function serverExecutable(): string {
  const candidate = process.env.EVENTAPI_LSP ?? path.join(REPO, ".venv", "bin", "eventapi-lsp");
  try {
    fs.accessSync(candidate, fs.constants.X_OK);
  } catch {
    assert.fail(`no language server at ${candidate}: run "make venv" at the repository root or set EVENTAPI_LSP`);
  }
  return candidate;
}

interface Diagnostic {
  code?: string | number;
  range: { start: { line: number; character: number }; end: { line: number; character: number } };
}

describe("eventapi-lsp contract", () => {
  let child: ChildProcessWithoutNullStreams;
  let connection: MessageConnection;
  let workspace: string;
  let outputDir: string;
  const diagnostics = new Map<string, Diagnostic[]>();
  const progress: { token: string | number; value: unknown }[] = [];
  const createdTokens: (string | number)[] = [];
  const waiters: (() => void)[] = [];

  function waitFor<T>(probe: () => T | undefined, what: string, timeoutMs = 20000): Promise<T> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(new Error(`timed out waiting for ${what}`));
      }, timeoutMs);
      const check = (): void => {
        const value = probe();
        if (value === undefined) {
          waiters.push(check);
          return;
        }
        clearTimeout(timer);
        resolve(value);
      };
      check();
    });
  }

  function wake(): void {
    for (const waiter of waiters.splice(0)) {
      waiter();
    }
  }

  function open(file: string): string {
    const target = path.join(workspace, path.basename(file));
    fs.copyFileSync(file, target);
    const uri = pathToFileURL(target).toString();
    void connection.sendNotification("textDocument/didOpen", {
      textDocument: { uri, languageId: "proto", version: 1, text: fs.readFileSync(target, "utf8") },
    });
    return uri;
  }

  before(async () => {
    workspace = fs.mkdtempSync(path.join(os.tmpdir(), "eventapi-contract-"));
    outputDir = path.join(workspace, "out");
    child = spawn(serverExecutable(), [], { cwd: workspace });
    child.stderr.on("data", () => undefined);
    connection = createMessageConnection(new StreamMessageReader(child.stdout), new StreamMessageWriter(child.stdin));
    // EA201 off: the settings the extension validates must reach the server (checked below).
    const settings = { ...defaultServerSettings(), outputDir, severities: { EA201: "off" as const } };
    connection.onRequest("workspace/configuration", (params: { items: ConfigurationItemLike[] }) =>
      answerConfigurationItems(params.items, params.items.map(() => null), () => settings),
    );
    connection.onRequest("window/workDoneProgress/create", (params: { token: string | number }) => {
      createdTokens.push(params.token);
      return null;
    });
    connection.onRequest(() => null);
    connection.onNotification("textDocument/publishDiagnostics", (params: { uri: string; diagnostics: Diagnostic[] }) => {
      diagnostics.set(params.uri, params.diagnostics);
      wake();
    });
    connection.onNotification("$/progress", (params: { token: string | number; value: unknown }) => {
      progress.push(params);
    });
    connection.onNotification(() => undefined);
    connection.listen();
    const rootUri = pathToFileURL(workspace).toString();
    await connection.sendRequest("initialize", {
      processId: process.pid,
      rootUri,
      workspaceFolders: [{ uri: rootUri, name: "contract" }],
      initializationOptions: settings,
      capabilities: { window: { workDoneProgress: true }, workspace: { configuration: true } },
    });
    await connection.sendNotification("initialized", {});
  });

  after(async () => {
    await connection.sendRequest("shutdown").catch(() => undefined);
    await connection.sendNotification("exit").catch(() => undefined);
    connection.dispose();
    child.kill();
    fs.rmSync(workspace, { recursive: true, force: true });
  });

  it("publishes EA003 for the misspelled option", async () => {
    const uri = open(BROKEN);
    const found = await waitFor(
      () => diagnostics.get(uri)?.find((diagnostic) => diagnostic.code === "EA003"),
      "EA003",
    );
    const line = fs.readFileSync(BROKEN, "utf8").split("\n")[found.range.start.line] ?? "";
    assert.match(line.slice(found.range.start.character, found.range.end.character), /operatoin/);
    const codes = new Set((diagnostics.get(uri) ?? []).map((diagnostic) => diagnostic.code));
    assert.ok(codes.has("EA104"), "EA104 missing");
    assert.ok(!codes.has("EA201"), "severities: {EA201: off} did not reach the server");
  });

  for (const kind of ["sdk", "ddl", "flink"] as PreviewKind[]) {
    it(`answers the ${kind} preview the way PreviewProvider asks for it`, async () => {
      const uri = open(FIXTURE);
      // Exactly what the extension sends: the params decoded from the preview document's URI.
      const params = parsePreviewQuery(previewLocation({ uri, kind }).query);
      assert.ok(params);
      const result = parsePreviewResult(await connection.sendRequest(PREVIEW_REQUEST, params));
      assert.equal(result.language, kind === "sdk" ? "python" : "sql");
      assert.notEqual(result.text.trim(), "");
      if (kind === "ddl") {
        assert.match(result.text, /CREATE TABLE/i);
      }
    });
  }

  it("generates through eventapi.generate with progress, writing under outputDir", async () => {
    const uri = open(FIXTURE);
    const workDoneToken = "contract-generate";
    const raw: unknown = await connection.sendRequest("workspace/executeCommand", {
      command: GENERATE_COMMAND,
      arguments: [buildGenerateArgs(["sdk", "sink"], "file", uri)],
      workDoneToken,
    });
    const result = parseGenerateResult(raw);
    assert.equal(result.errors, 0);
    assert.ok(result.written.length > 0, "nothing written");
    for (const written of result.written) {
      const absolute = path.isAbsolute(written) ? written : path.join(workspace, written);
      assert.ok(fs.existsSync(absolute), `${written} does not exist`);
      assert.ok(path.resolve(absolute).startsWith(outputDir), `${written} is outside ${outputDir}`);
    }
    // Progress on the client's token, or on one the server created (which VS Code's client shows itself).
    const tokens = new Set<string | number>([workDoneToken, ...createdTokens]);
    const kinds = progress
      .filter((entry) => tokens.has(entry.token))
      .map((entry) => (entry.value as { kind: string }).kind);
    assert.equal(kinds[0], "begin", `no progress reported: ${JSON.stringify(progress)}`);
    assert.equal(kinds[kinds.length - 1], "end");

    const again = parseGenerateResult(
      await connection.sendRequest("workspace/executeCommand", {
        command: GENERATE_COMMAND,
        arguments: [buildGenerateArgs(["sdk", "sink"], "file", uri)],
      }),
    );
    assert.deepEqual(again.written, [], "a second run rewrote identical files");
    assert.deepEqual([...again.unchanged].sort(), [...result.written].sort());
  });
});

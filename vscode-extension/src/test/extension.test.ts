// activate(): every command package.json declares is registered (and nothing undeclared), and the server starts.
import "./stubs/install";

import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { beforeEach, describe, it } from "node:test";

import { activate, COMMANDS, deactivate } from "../extension";
import { settle } from "./helpers";
import { clientControl } from "./stubs/languageclient";
import type { StubLogChannel } from "./stubs/vscode";
import { control } from "./stubs/vscode";

interface Manifest {
  main: string;
  activationEvents: string[];
  contributes: { commands: { command: string }[]; menus: Record<string, { command: string }[]> };
}

function manifest(): Manifest {
  return JSON.parse(fs.readFileSync(path.join(__dirname, "..", "..", "package.json"), "utf8")) as Manifest;
}

describe("activate", () => {
  beforeEach(() => {
    control.reset();
    clientControl.reset();
  });

  it("registers exactly the declared commands and the preview scheme", async () => {
    const subscriptions: { dispose(): unknown }[] = [];
    const api = activate({ subscriptions } as never);
    const output = api.output as unknown as StubLogChannel;
    await settle();
    const declared = manifest().contributes.commands.map((entry) => entry.command).sort();
    assert.deepEqual([...control.commands.keys()].sort(), declared);
    assert.deepEqual(Object.values(COMMANDS).sort(), declared);
    assert.ok(control.contentProviders.has("eventapi-preview"));
    for (const entries of Object.values(manifest().contributes.menus)) {
      for (const entry of entries) {
        assert.ok(declared.includes(entry.command), `menu names unknown command ${entry.command}`);
      }
    }
    // No eventapi-lsp on this stubbed machine's PATH: the failure is visible, not thrown.
    assert.equal(clientControl.instances.length, 0);
    assert.ok(output.lines.some((line) => line.includes("Cannot find")));
    await deactivate();
    for (const subscription of subscriptions) {
      subscription.dispose();
    }
  });

  it("does not clash with the commands vscode-languageclient registers for the server", () => {
    // The client registers a VS Code command for each server command (eventapi.generate).
    assert.ok(!Object.values(COMMANDS).includes("eventapi.generate" as never));
  });

  it("points main at the bundle and activates on .proto files", () => {
    const main = manifest().main;
    assert.equal(main, "./dist/extension.js");
    assert.ok(manifest().activationEvents.includes("onLanguage:proto"));
    assert.ok(manifest().activationEvents.includes("workspaceContains:**/*.proto"));
  });

  it("runs Restart server and Show output through the command palette", async () => {
    const subscriptions: { dispose(): unknown }[] = [];
    const api = activate({ subscriptions } as never);
    const output = api.output as unknown as StubLogChannel;
    await settle();
    const before = output.lines.length;
    await control.commands.get(COMMANDS.restartServer)?.();
    assert.ok(output.lines.slice(before).some((line) => line.includes("Restarting")));
    await control.commands.get(COMMANDS.showOutput)?.();
    assert.equal(output.shown, 1);
    await deactivate();
    for (const subscription of subscriptions) {
      subscription.dispose();
    }
  });
});

// The packaged bundle (dist/extension.js, real vscode-languageclient inlined) loads and activates.
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import Module from "node:module";
import * as path from "node:path";
import { describe, it } from "node:test";

import * as vscodeStub from "./stubs/vscode";

async function settle(): Promise<void> {
  for (let index = 0; index < 5; index += 1) {
    await new Promise((resolve) => setImmediate(resolve));
  }
}

const BUNDLE = path.join(__dirname, "..", "..", "dist", "extension.js");

/**
 * The real vscode-languageclient subclasses many vscode classes when it loads; members the
 * stub lacks become empty classes, enough to load the module (they are never used here).
 */
function permissiveVscode(): unknown {
  const placeholders = new Map<string | symbol, unknown>();
  return new Proxy(vscodeStub, {
    get(target, property) {
      if (property in target) {
        return (target as Record<string | symbol, unknown>)[property];
      }
      if (!placeholders.has(property)) {
        placeholders.set(
          property,
          class Placeholder {
            readonly stubbed = property;
          },
        );
      }
      return placeholders.get(property);
    },
  });
}

describe("bundle", () => {
  it("is built, loads against VS Code's API and registers its commands", async () => {
    assert.ok(fs.existsSync(BUNDLE), `${BUNDLE} is missing: run npm run compile`);
    const internals = Module as unknown as {
      _load: (this: unknown, request: string, parent: unknown, isMain: boolean) => unknown;
    };
    const originalLoad = internals._load;
    const vscode = permissiveVscode();
    internals._load = function load(this: unknown, request: string, parent: unknown, isMain: boolean): unknown {
      return request === "vscode" ? vscode : originalLoad.call(this, request, parent, isMain);
    };
    try {
      vscodeStub.control.reset();
      const load = Module.createRequire(__filename);
      const extension = load(BUNDLE) as {
        activate: (context: unknown) => unknown;
        deactivate: () => Promise<void>;
      };
      const subscriptions: { dispose(): unknown }[] = [];
      extension.activate({ subscriptions });
      await settle();
      assert.ok(vscodeStub.control.commands.has("eventapi.openPreview"));
      assert.ok(vscodeStub.control.commands.has("eventapi.generateAll"));
      assert.equal(vscodeStub.control.statusItems.length, 1);
      await extension.deactivate();
      for (const subscription of subscriptions) {
        subscription.dispose();
      }
    } finally {
      internals._load = originalLoad;
    }
  });
});

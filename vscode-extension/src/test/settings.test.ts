// Settings: validation with fallbacks, and package.json's contributed defaults agreeing with the code.
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, it } from "node:test";

import {
  defaultServerSettings,
  expandPathVariables,
  normalizeServerSettings,
  readClientSettings,
  readServerSettings,
  SERVER_SETTING_KEYS,
} from "../common/settings";

interface ContributedProperty {
  default?: unknown;
  enum?: unknown[];
  items?: { enum?: unknown[] };
  additionalProperties?: { enum?: unknown[] };
}

function contributedProperties(): Record<string, ContributedProperty> {
  const manifestPath = path.join(__dirname, "..", "..", "package.json");
  const manifest = JSON.parse(fs.readFileSync(manifestPath, "utf8")) as {
    contributes: { configuration: { properties: Record<string, ContributedProperty> } };
  };
  return manifest.contributes.configuration.properties;
}

function collect(): { warnings: string[]; warn: (message: string) => void } {
  const warnings: string[] = [];
  return { warnings, warn: (message) => warnings.push(message) };
}

describe("package.json settings", () => {
  it("contributes every server setting with the code's default", () => {
    const properties = contributedProperties();
    const defaults = defaultServerSettings();
    for (const key of SERVER_SETTING_KEYS) {
      const property = properties[`eventapi.${key}`];
      assert.ok(property, `package.json lacks eventapi.${key}`);
      assert.deepEqual(property.default, defaults[key], `default of eventapi.${key}`);
    }
  });

  it("contributes nothing else besides the client-only settings", () => {
    const clientOnly = ["eventapi.server.path", "eventapi.server.pythonPath", "eventapi.trace.server"];
    const expected = [...SERVER_SETTING_KEYS.map((key) => `eventapi.${key}`), ...clientOnly].sort();
    assert.deepEqual(Object.keys(contributedProperties()).sort(), expected);
  });

  it("offers exactly the values the validation accepts", () => {
    const properties = contributedProperties();
    assert.deepEqual(properties["eventapi.flinkVersion"]?.enum, ["2.0", "2.3"]);
    assert.deepEqual(properties["eventapi.generators"]?.items?.enum, ["sdk", "sink"]);
    assert.deepEqual(properties["eventapi.severities"]?.additionalProperties?.enum, [
      "error",
      "warning",
      "information",
      "hint",
      "off",
    ]);
    assert.deepEqual(properties["eventapi.trace.server"]?.enum, ["off", "messages", "verbose"]);
  });
});

describe("normalizeServerSettings", () => {
  it("returns the defaults for undefined and warns for a non-object", () => {
    const { warnings, warn } = collect();
    assert.deepEqual(normalizeServerSettings(undefined, warn), defaultServerSettings());
    assert.deepEqual(normalizeServerSettings([1, 2], warn), defaultServerSettings());
    assert.equal(warnings.length, 1);
  });

  it("keeps valid values", () => {
    const { warnings, warn } = collect();
    const settings = normalizeServerSettings(
      {
        includePaths: ["proto", "/abs/third_party"],
        outputDir: "build/gen",
        generators: ["sink", "sink"],
        flinkVersion: "2.0",
        severities: { EA302: "off", EA209: "error" },
      },
      warn,
    );
    assert.deepEqual(settings, {
      includePaths: ["proto", "/abs/third_party"],
      outputDir: "build/gen",
      generators: ["sink"],
      flinkVersion: "2.0",
      severities: { EA302: "off", EA209: "error" },
    });
    assert.deepEqual(warnings, []);
  });

  it("falls back per key and says why", () => {
    const { warnings, warn } = collect();
    const settings = normalizeServerSettings(
      {
        includePaths: "proto",
        outputDir: "  ",
        generators: ["sdk", "java"],
        flinkVersion: 2.3,
        severities: { EA302: "loud", bogus: "off", EA101: "hint" },
      },
      warn,
    );
    assert.deepEqual(settings, { ...defaultServerSettings(), severities: { EA101: "hint" } });
    assert.equal(warnings.length, 6);
    assert.match(warnings.join("\n"), /includePaths/);
    assert.match(warnings.join("\n"), /"bogus" is not a diagnostic code/);
    assert.match(warnings.join("\n"), /EA302 must be one of/);
  });

  it("drops blank include paths", () => {
    const settings = normalizeServerSettings({ includePaths: ["", "a", " "] }, () => undefined);
    assert.deepEqual(settings.includePaths, ["a"]);
  });

  it("never hands out a shared default object", () => {
    const first = defaultServerSettings();
    first.generators.push("sdk");
    first.severities.EA001 = "off";
    assert.deepEqual(defaultServerSettings().generators, ["sdk", "sink"]);
    assert.deepEqual(defaultServerSettings().severities, {});
  });
});

describe("reading a configuration", () => {
  const config = (values: Record<string, unknown>) => ({ get: (key: string) => values[key] });

  it("reads only the five server keys", () => {
    const settings = readServerSettings(
      config({ outputDir: "out", "server.path": "/x", flinkVersion: "2.0" }),
      () => undefined,
    );
    assert.deepEqual(settings, { ...defaultServerSettings(), outputDir: "out", flinkVersion: "2.0" });
  });

  it("reads and trims the client settings", () => {
    assert.deepEqual(readClientSettings(config({ "server.path": " /opt/lsp ", "server.pythonPath": 3 })), {
      serverPath: "/opt/lsp",
      pythonPath: "",
    });
  });
});

describe("expandPathVariables", () => {
  it("expands workspaceFolder, userHome and ~", () => {
    assert.equal(expandPathVariables("${workspaceFolder}/proto", "/ws", "/home/u"), "/ws/proto");
    assert.equal(expandPathVariables("${userHome}/p", "/ws", "/home/u"), "/home/u/p");
    assert.equal(expandPathVariables("~/venv/bin/python", undefined, "/home/u"), "/home/u/venv/bin/python");
    assert.equal(expandPathVariables("~user/x", undefined, "/home/u"), "~user/x");
  });

  it("leaves ${workspaceFolder} alone without a folder", () => {
    assert.equal(expandPathVariables("${workspaceFolder}/p", undefined, "/h"), "${workspaceFolder}/p");
  });
});

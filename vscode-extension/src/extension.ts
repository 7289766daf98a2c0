// Entry point: wires the server manager, status bar, previews and commands together.
import * as vscode from "vscode";

import type { GenerateCommandArgs } from "./common/generate";
import { runGenerate } from "./common/generate";
import type { OpenPreviewArgs } from "./common/preview";
import { PreviewProvider } from "./common/preview";
import { PREVIEW_SCHEME } from "./common/previewUri";
import { CLIENT_NAME, ServerManager } from "./common/server";
import { ServerStatusItem } from "./common/status";

export const COMMANDS = {
  generateSdk: "eventapi.generateSdk",
  generateSql: "eventapi.generateSql",
  generateAll: "eventapi.generateAll",
  generateWorkspace: "eventapi.generateWorkspace",
  openPreview: "eventapi.openPreview",
  restartServer: "eventapi.restartServer",
  showOutput: "eventapi.showOutput",
} as const;

/** What activate() returns; other extensions (and the tests) reach the parts through it. */
export interface EventApiExtension {
  manager: ServerManager;
  preview: PreviewProvider;
  output: vscode.LogOutputChannel;
}

let active: EventApiExtension | undefined;

export function activate(context: vscode.ExtensionContext): EventApiExtension {
  const output = vscode.window.createOutputChannel(CLIENT_NAME, { log: true });
  const status = new ServerStatusItem(COMMANDS.showOutput);
  const manager = new ServerManager(output, status);
  const preview = new PreviewProvider(manager);

  context.subscriptions.push(
    output,
    status,
    manager,
    preview,
    vscode.workspace.registerTextDocumentContentProvider(PREVIEW_SCHEME, preview),
    vscode.commands.registerCommand(COMMANDS.generateSdk, (args?: GenerateCommandArgs) =>
      runGenerate(manager, ["sdk"], "Generate SDK", args),
    ),
    vscode.commands.registerCommand(COMMANDS.generateSql, (args?: GenerateCommandArgs) =>
      runGenerate(manager, ["sink"], "Generate SQL", args),
    ),
    vscode.commands.registerCommand(COMMANDS.generateAll, (args?: GenerateCommandArgs) =>
      runGenerate(manager, manager.settingsFor(args?.uri).generators, "Generate all", args),
    ),
    vscode.commands.registerCommand(COMMANDS.generateWorkspace, () =>
      runGenerate(manager, manager.settingsFor(undefined).generators, "Generate all", { scope: "workspace" }),
    ),
    vscode.commands.registerCommand(COMMANDS.openPreview, (args?: OpenPreviewArgs) => preview.open(args)),
    vscode.commands.registerCommand(COMMANDS.restartServer, () => manager.restart()),
    vscode.commands.registerCommand(COMMANDS.showOutput, () => {
      output.show(true);
    }),
    vscode.workspace.onDidChangeConfiguration((event) => manager.onConfigurationChanged(event)),
  );

  // Not awaited: activation must not wait for a slow server; the status bar shows progress.
  void manager.start();
  active = { manager, preview, output };
  return active;
}

export async function deactivate(): Promise<void> {
  const current = active;
  active = undefined;
  await current?.manager.stop();
}

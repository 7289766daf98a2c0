// The "Generate SDK / SQL / all" commands: run the server's eventapi.generate command with a
// progress notification fed by the server's $/progress reports, then summarize the result.
import { randomUUID } from "node:crypto";
import * as vscode from "vscode";
import { ExecuteCommandRequest, WorkDoneProgress } from "vscode-languageclient/node";
import type { WorkDoneProgressBegin, WorkDoneProgressReport, WorkDoneProgressEnd } from "vscode-languageclient/node";

import type { GenerateArgs, GenerateScope } from "./protocol";
import { buildGenerateArgs, GENERATE_COMMAND, parseGenerateResult, summarizeGenerateResult } from "./protocol";
import type { ServerManager } from "./server";
import { isProtoDocument } from "./server";
import type { GeneratorKind } from "./settings";

const SUMMARY_MS = 8000;

/** Optional argument of the generate commands (keybindings, code lenses, other extensions). */
export interface GenerateCommandArgs {
  scope?: GenerateScope;
  uri?: string;
}

/**
 * Converts LSP percentages (absolute, 0..100) into VS Code's increments (relative);
 * a report without a percentage or one going backwards adds nothing.
 */
export class ProgressIncrements {
  private last = 0;

  next(percentage: number | undefined): number | undefined {
    if (percentage === undefined || !Number.isFinite(percentage)) {
      return undefined;
    }
    const clamped = Math.min(100, Math.max(0, percentage));
    const increment = clamped - this.last;
    if (increment <= 0) {
      return undefined;
    }
    this.last = clamped;
    return increment;
  }
}

/** Scope and URI: explicit arguments first, else the active .proto editor, else the workspace. */
export function chooseScope(
  args: GenerateCommandArgs | undefined,
  activeProtoUri: string | undefined,
): { scope: GenerateScope; uri: string | undefined } {
  if (args?.scope === "workspace") {
    return { scope: "workspace", uri: undefined };
  }
  const uri = args?.uri ?? activeProtoUri;
  if (args?.scope === "file" || uri !== undefined) {
    return { scope: "file", uri };
  }
  return { scope: "workspace", uri: undefined };
}

function activeProtoUri(): string | undefined {
  const document = vscode.window.activeTextEditor?.document;
  return document !== undefined && isProtoDocument(document) ? document.uri.toString() : undefined;
}

async function offerRestart(message: string, manager: ServerManager): Promise<void> {
  const choice = await vscode.window.showErrorMessage(message, "Restart Server", "Show Log");
  if (choice === "Restart Server") {
    await manager.restart();
  } else if (choice === "Show Log") {
    await vscode.commands.executeCommand("eventapi.showOutput");
  }
}

export async function runGenerate(
  manager: ServerManager,
  kinds: readonly GeneratorKind[],
  label: string,
  commandArgs: GenerateCommandArgs | undefined,
): Promise<void> {
  const client = manager.runningClient;
  if (client === undefined) {
    await offerRestart(`EventAPI ${label}: the language server is not running.`, manager);
    return;
  }
  const { scope, uri } = chooseScope(commandArgs, activeProtoUri());
  let args: GenerateArgs;
  try {
    args = buildGenerateArgs(kinds, scope, uri);
  } catch (error) {
    void vscode.window.showErrorMessage(`EventAPI ${label}: ${(error as Error).message}`);
    return;
  }
  const where = scope === "workspace" ? "workspace" : vscode.Uri.parse(args.uri ?? "").path.split("/").pop();
  try {
    const raw = await vscode.window.withProgress(
      {
        location: vscode.ProgressLocation.Notification,
        title: `EventAPI: ${label} (${where ?? scope})`,
        cancellable: true,
      },
      async (progress, token) => {
        const workDoneToken = randomUUID();
        const increments = new ProgressIncrements();
        const subscription = client.onProgress(
          WorkDoneProgress.type,
          workDoneToken,
          (value: WorkDoneProgressBegin | WorkDoneProgressReport | WorkDoneProgressEnd) => {
            if (value.kind === "end") {
              return;
            }
            const increment = increments.next(value.percentage);
            progress.report({
              ...(value.message === undefined ? {} : { message: value.message }),
              ...(increment === undefined ? {} : { increment }),
            });
          },
        );
        try {
          const result: unknown = await client.sendRequest(
            ExecuteCommandRequest.type,
            { command: GENERATE_COMMAND, arguments: [args], workDoneToken },
            token,
          );
          return result;
        } finally {
          subscription.dispose();
        }
      },
    );
    const summary = summarizeGenerateResult(parseGenerateResult(raw), label);
    if (summary.level === "error") {
      const choice = await vscode.window.showErrorMessage(summary.message, "Show Problems");
      if (choice === "Show Problems") {
        await vscode.commands.executeCommand("workbench.actions.view.problems");
      }
    } else if (summary.level === "warning") {
      void vscode.window.showWarningMessage(summary.message);
    } else {
      // The server announces the outcome itself (window/showMessage); a second notification
      // would only repeat it, so the count goes to the status bar.
      vscode.window.setStatusBarMessage(`$(check) ${summary.message}`, SUMMARY_MS);
    }
  } catch (error) {
    if (isCancellation(error)) {
      return;
    }
    const choice = await vscode.window.showErrorMessage(
      `EventAPI ${label} failed: ${error instanceof Error ? error.message : String(error)}`,
      "Show Log",
    );
    if (choice === "Show Log") {
      await vscode.commands.executeCommand("eventapi.showOutput");
    }
  }
}

function isCancellation(error: unknown): boolean {
  // vscode-jsonrpc rejects a cancelled request with ResponseError code -32800 (RequestCancelled).
  return typeof error === "object" && error !== null && (error as { code?: unknown }).code === -32800;
}

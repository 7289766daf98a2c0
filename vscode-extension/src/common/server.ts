// Starts, stops and restarts eventapi-lsp through vscode-languageclient, and keeps the
// status bar and the settings the server sees in step with it.
import * as fs from "node:fs";
import * as os from "node:os";
import * as vscode from "vscode";
import {
  DidChangeConfigurationNotification,
  LanguageClient,
  RevealOutputChannelOn,
  State,
} from "vscode-languageclient/node";
import type {
  ConfigurationParams,
  DocumentSelector,
  LanguageClientOptions,
  ServerOptions,
} from "vscode-languageclient/node";

import { answerConfigurationItems, SECTION } from "./configuration";
import type { MachineView, ServerCommand } from "./serverCommand";
import { describeCommand, isResolveFailure, resolveServerCommand } from "./serverCommand";
import type { ServerSettings } from "./settings";
import { expandPathVariables, readClientSettings, readServerSettings } from "./settings";
import type { ServerState, ServerStatusItem } from "./status";

export const CLIENT_ID = "eventapi";
export const CLIENT_NAME = "EventAPI Language Server";

/** `proto` is this extension's language id; `proto3` is the one other popular extensions use. */
export const DOCUMENT_SELECTOR: DocumentSelector = [
  { scheme: "file", language: "proto" },
  { scheme: "file", language: "proto3" },
  { scheme: "untitled", language: "proto" },
];

export function isProtoDocument(document: vscode.TextDocument): boolean {
  return (
    document.languageId === "proto" ||
    document.languageId === "proto3" ||
    (document.uri.scheme === "file" && document.uri.path.endsWith(".proto"))
  );
}

export function realMachine(): MachineView {
  return {
    pathEnv: process.env.PATH,
    pathExt: process.env.PATHEXT,
    platform: process.platform,
    isExecutable: (file) => {
      try {
        fs.accessSync(file, fs.constants.X_OK);
        return fs.statSync(file).isFile();
      } catch {
        return false;
      }
    },
    workspaceFolders: (vscode.workspace.workspaceFolders ?? []).map((folder) => folder.uri.fsPath),
  };
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export class ServerManager implements vscode.Disposable {
  private client: LanguageClient | undefined;
  private command: ServerCommand | undefined;
  private stateListener: { dispose(): unknown } | undefined;
  // Start/stop/restart run one at a time: a restart clicked during a start must not leave two servers.
  private queue: Promise<void> = Promise.resolve();
  private readonly clientEmitter = new vscode.EventEmitter<LanguageClient | undefined>();
  private readonly disposables: { dispose(): unknown }[] = [this.clientEmitter];

  /** Fires with the new client once it runs, and with undefined when it stops. */
  readonly onDidChangeClient = this.clientEmitter.event;

  constructor(
    private readonly output: vscode.LogOutputChannel,
    private readonly status: ServerStatusItem,
    private readonly machine: () => MachineView = realMachine,
  ) {}

  /** The client when the server is running, else undefined. */
  get runningClient(): LanguageClient | undefined {
    return this.client?.state === State.Running ? this.client : undefined;
  }

  get serverCommand(): ServerCommand | undefined {
    return this.command;
  }

  start(): Promise<void> {
    return this.enqueue(() => this.doStart());
  }

  stop(): Promise<void> {
    return this.enqueue(() => this.doStop());
  }

  restart(): Promise<void> {
    return this.enqueue(async () => {
      this.output.info("Restarting the EventAPI language server");
      await this.doStop();
      await this.doStart();
    });
  }

  /** Restarts for a change of the server command; pushes other changes to the running server. */
  async onConfigurationChanged(event: vscode.ConfigurationChangeEvent): Promise<void> {
    if (event.affectsConfiguration(`${SECTION}.server`)) {
      await this.restart();
      return;
    }
    const client = this.runningClient;
    if (client !== undefined && event.affectsConfiguration(SECTION)) {
      await client.sendNotification(DidChangeConfigurationNotification.type, {
        settings: { [SECTION]: this.settingsFor(undefined) },
      });
    }
  }

  /** Validated server settings for a resource scope (a folder or file URI string). */
  settingsFor(scopeUri: string | undefined): ServerSettings {
    const scope = scopeUri === undefined ? undefined : vscode.Uri.parse(scopeUri);
    const config = vscode.workspace.getConfiguration(SECTION, scope);
    const settings = readServerSettings(config, (message) => {
      this.output.warn(message);
    });
    const folder =
      (scope === undefined ? undefined : vscode.workspace.getWorkspaceFolder(scope)) ??
      vscode.workspace.workspaceFolders?.[0];
    settings.includePaths = settings.includePaths.map((entry) =>
      expandPathVariables(entry, folder?.uri.fsPath, os.homedir()),
    );
    return settings;
  }

  dispose(): void {
    void this.stop();
    for (const disposable of this.disposables) {
      disposable.dispose();
    }
  }

  private enqueue(operation: () => Promise<void>): Promise<void> {
    const next = this.queue.then(operation, operation);
    // The queue must keep going after a failure; callers still see the rejection.
    this.queue = next.catch(() => undefined);
    return next;
  }

  private setState(state: ServerState): void {
    const detail = this.command === undefined ? "" : `${describeCommand(this.command)} (from ${this.command.source})`;
    this.status.update(state, detail);
  }

  private resolveCommand(): ServerCommand | undefined {
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
    const raw = readClientSettings(vscode.workspace.getConfiguration(SECTION));
    const clientSettings = {
      serverPath: expandPathVariables(raw.serverPath, folder, os.homedir()),
      pythonPath: expandPathVariables(raw.pythonPath, folder, os.homedir()),
    };
    const resolved = resolveServerCommand(clientSettings, this.machine());
    if (isResolveFailure(resolved)) {
      this.command = undefined;
      this.output.error(resolved.error);
      this.setState("failed");
      void vscode.window.showErrorMessage(resolved.error, "Open Settings").then((choice) => {
        if (choice === "Open Settings") {
          void vscode.commands.executeCommand("workbench.action.openSettings", `${SECTION}.server`);
        }
      });
      return undefined;
    }
    return resolved;
  }

  private clientOptions(): LanguageClientOptions {
    return {
      documentSelector: DOCUMENT_SELECTOR,
      outputChannel: this.output,
      traceOutputChannel: this.output,
      revealOutputChannelOn: RevealOutputChannelOn.Never,
      initializationOptions: () => this.settingsFor(undefined),
      synchronize: {
        // Imports and workspace-wide rules depend on .proto files that are not open.
        fileEvents: vscode.workspace.createFileSystemWatcher("**/*.proto"),
      },
      middleware: {
        workspace: {
          configuration: async (params: ConfigurationParams, token, next) => {
            const base = await next(params, token);
            if (!Array.isArray(base)) {
              return base;
            }
            return answerConfigurationItems(params.items, base, (scopeUri) => this.settingsFor(scopeUri));
          },
        },
      },
      initializationFailedHandler: (error) => {
        this.output.error(`The EventAPI language server failed to initialize: ${errorMessage(error)}`);
        return false;
      },
    };
  }

  private async doStart(): Promise<void> {
    if (this.client !== undefined) {
      return;
    }
    const command = this.resolveCommand();
    if (command === undefined) {
      return;
    }
    this.command = command;
    this.output.info(`Starting ${describeCommand(command)} (from ${command.source})`);
    this.setState("starting");
    const cwd = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
    const serverOptions: ServerOptions = {
      command: command.command,
      args: command.args,
      options: cwd === undefined ? {} : { cwd },
    };
    const client = new LanguageClient(CLIENT_ID, CLIENT_NAME, serverOptions, this.clientOptions());
    this.client = client;
    this.stateListener?.dispose();
    const stateListener = client.onDidChangeState((event) => {
      if (event.newState === State.Running) {
        this.setState("running");
        this.clientEmitter.fire(client);
      } else if (event.newState === State.Starting) {
        this.setState("starting");
      } else if (this.client === client) {
        // Stopped while still the current client: the server exited or crashed.
        this.setState("stopped");
        this.clientEmitter.fire(undefined);
      }
    });
    this.stateListener = stateListener;
    try {
      await client.start();
    } catch (error) {
      const message = `Could not start ${describeCommand(command)}: ${errorMessage(error)}`;
      this.output.error(message);
      this.client = undefined;
      stateListener.dispose();
      this.stateListener = undefined;
      this.setState("failed");
      void vscode.window.showErrorMessage(message, "Show Log").then((choice) => {
        if (choice === "Show Log") {
          this.output.show(true);
        }
      });
      // The half-started client may still hold a process; stopping it is best effort.
      await client.dispose().catch(() => undefined);
    }
  }

  private async doStop(): Promise<void> {
    const client = this.client;
    if (client === undefined) {
      return;
    }
    this.client = undefined;
    this.stateListener?.dispose();
    this.stateListener = undefined;
    try {
      await client.dispose(2000);
    } catch (error) {
      this.output.warn(`Stopping the server: ${errorMessage(error)}`);
    }
    this.setState("stopped");
    this.clientEmitter.fire(undefined);
  }
}

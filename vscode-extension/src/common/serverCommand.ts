// Decides which process to start as the language server, from the settings and the machine.
import * as path from "node:path";

import type { ClientSettings } from "./settings";

export const SERVER_EXECUTABLE = "eventapi-lsp";
export const SERVER_MODULE = "eventapi.server";

/** How the command was found; shown in the status bar tooltip and the log. */
export type ServerCommandSource = "server.path" | "server.pythonPath" | "PATH" | "workspace .venv";

export interface ServerCommand {
  command: string;
  args: string[];
  source: ServerCommandSource;
}

export interface ResolveFailure {
  error: string;
}

export interface MachineView {
  /** Value of the PATH environment variable. */
  pathEnv: string | undefined;
  /** PATHEXT on Windows (".EXE;.CMD;…"). */
  pathExt: string | undefined;
  platform: NodeJS.Platform;
  /** True when the file exists and may be executed. */
  isExecutable: (file: string) => boolean;
  /** Workspace folder paths, searched for a `.venv` as the last resort. */
  workspaceFolders: readonly string[];
}

function candidateNames(name: string, platform: NodeJS.Platform, pathExt: string | undefined): string[] {
  if (platform !== "win32") {
    return [name];
  }
  const extensions = (pathExt ?? ".EXE;.CMD;.BAT").split(";").filter((ext) => ext !== "");
  return [name, ...extensions.map((ext) => name + ext.toLowerCase())];
}

/** Finds `name` on PATH like a shell would; undefined when it is not there. */
export function findOnPath(name: string, machine: MachineView): string | undefined {
  const pathModule = machine.platform === "win32" ? path.win32 : path.posix;
  const separator = machine.platform === "win32" ? ";" : ":";
  for (const directory of (machine.pathEnv ?? "").split(separator)) {
    if (directory === "") {
      continue;
    }
    for (const candidate of candidateNames(name, machine.platform, machine.pathExt)) {
      const full = pathModule.join(directory, candidate);
      if (machine.isExecutable(full)) {
        return full;
      }
    }
  }
  return undefined;
}

function findInVenv(machine: MachineView): string | undefined {
  const pathModule = machine.platform === "win32" ? path.win32 : path.posix;
  const binDir = machine.platform === "win32" ? "Scripts" : "bin";
  for (const folder of machine.workspaceFolders) {
    for (const candidate of candidateNames(SERVER_EXECUTABLE, machine.platform, machine.pathExt)) {
      const full = pathModule.join(folder, ".venv", binDir, candidate);
      if (machine.isExecutable(full)) {
        return full;
      }
    }
  }
  return undefined;
}

/**
 * Order: an explicit `eventapi.server.path`; an explicit `eventapi.server.pythonPath`
 * (`<python> -m eventapi.server`); `eventapi-lsp` on PATH; `.venv/bin/eventapi-lsp` in a
 * workspace folder (a project's own virtualenv is where the package usually lives).
 * Explicit settings are used as given, so a wrong path fails loudly instead of silently
 * falling back to another installation.
 */
export function resolveServerCommand(
  settings: ClientSettings,
  machine: MachineView,
): ServerCommand | ResolveFailure {
  if (settings.serverPath !== "") {
    return { command: settings.serverPath, args: [], source: "server.path" };
  }
  if (settings.pythonPath !== "") {
    return { command: settings.pythonPath, args: ["-m", SERVER_MODULE], source: "server.pythonPath" };
  }
  const onPath = findOnPath(SERVER_EXECUTABLE, machine);
  if (onPath !== undefined) {
    return { command: onPath, args: [], source: "PATH" };
  }
  const inVenv = findInVenv(machine);
  if (inVenv !== undefined) {
    return { command: inVenv, args: [], source: "workspace .venv" };
  }
  return {
    error:
      `Cannot find "${SERVER_EXECUTABLE}" on PATH or in a workspace .venv. Install the eventapi ` +
      `package (pip install 'eventapi[lsp]'), or set "eventapi.server.path" to the executable or ` +
      `"eventapi.server.pythonPath" to a Python interpreter that has it.`,
  };
}

export function isResolveFailure(value: ServerCommand | ResolveFailure): value is ResolveFailure {
  return "error" in value;
}

/** Shell-like rendering for logs and tooltips. */
export function describeCommand(command: ServerCommand): string {
  const quote = (part: string): string => (/[\s"']/.test(part) ? JSON.stringify(part) : part);
  return [command.command, ...command.args].map(quote).join(" ");
}

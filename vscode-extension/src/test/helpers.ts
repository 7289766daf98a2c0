// Shared setup for tests that drive the extension against the stubbed VS Code API.
import { ServerManager } from "../common/server";
import type { MachineView } from "../common/serverCommand";
import { ServerStatusItem } from "../common/status";
import { clientControl } from "./stubs/languageclient";
import type { StubLogChannel } from "./stubs/vscode";
import { control, window } from "./stubs/vscode";

export function fakeMachine(executables: string[]): () => MachineView {
  return () => ({
    pathEnv: "/usr/bin",
    pathExt: undefined,
    platform: "linux",
    isExecutable: (file) => executables.includes(file),
    workspaceFolders: [],
  });
}

export interface Harness {
  manager: ServerManager;
  status: ServerStatusItem;
  output: StubLogChannel;
}

/** A manager whose machine has /usr/bin/eventapi-lsp, with fresh stubs. */
export function harness(executables: string[] = ["/usr/bin/eventapi-lsp"]): Harness {
  control.reset();
  clientControl.reset();
  const output = window.createOutputChannel("EventAPI Language Server");
  const status = new ServerStatusItem("eventapi.showOutput");
  // The stub channel implements the parts of LogOutputChannel the manager uses.
  const manager = new ServerManager(output as never, status, fakeMachine(executables));
  return { manager, status, output };
}

/** Lets queued promise callbacks run. */
export async function settle(): Promise<void> {
  for (let index = 0; index < 5; index += 1) {
    await new Promise((resolve) => setImmediate(resolve));
  }
}

// The status bar item that shows whether the language server runs; clicking it opens the log.
import * as vscode from "vscode";

export type ServerState = "starting" | "running" | "stopped" | "failed";

export interface StatusPresentation {
  text: string;
  tooltip: string;
  /** ThemeColor id for the background, for states that need attention. */
  background: string | undefined;
}

export function statusPresentation(state: ServerState, detail: string): StatusPresentation {
  const suffix = detail === "" ? "" : `\n${detail}`;
  switch (state) {
    case "starting":
      return {
        text: "$(sync~spin) EventAPI",
        tooltip: `EventAPI language server: starting${suffix}`,
        background: undefined,
      };
    case "running":
      return {
        text: "$(check) EventAPI",
        tooltip: `EventAPI language server: running${suffix}`,
        background: undefined,
      };
    case "stopped":
      return {
        text: "$(circle-slash) EventAPI",
        tooltip: `EventAPI language server: stopped${suffix}\nClick to show the log.`,
        background: "statusBarItem.warningBackground",
      };
    case "failed":
      return {
        text: "$(error) EventAPI",
        tooltip: `EventAPI language server: failed${suffix}\nClick to show the log.`,
        background: "statusBarItem.errorBackground",
      };
  }
}

export class ServerStatusItem implements vscode.Disposable {
  private readonly item: vscode.StatusBarItem;
  private current: ServerState = "stopped";

  constructor(showOutputCommand: string) {
    this.item = vscode.window.createStatusBarItem("eventapi.status", vscode.StatusBarAlignment.Right, 100);
    this.item.name = "EventAPI Language Server";
    this.item.command = showOutputCommand;
  }

  get state(): ServerState {
    return this.current;
  }

  update(state: ServerState, detail: string): void {
    this.current = state;
    const presentation = statusPresentation(state, detail);
    this.item.text = presentation.text;
    this.item.tooltip = presentation.tooltip;
    this.item.backgroundColor =
      presentation.background === undefined ? undefined : new vscode.ThemeColor(presentation.background);
    this.item.show();
  }

  dispose(): void {
    this.item.dispose();
  }
}

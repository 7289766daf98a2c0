// Live previews: virtual documents (scheme eventapi-preview) filled by the server's
// eventapi/preview request and refreshed, debounced, whenever their .proto changes.
import * as vscode from "vscode";

import { KeyedDebouncer } from "./debounce";
import type { PreviewKind, PreviewParams } from "./protocol";
import { parsePreviewResult, PREVIEW_REQUEST } from "./protocol";
import {
  parsePreviewQuery,
  PREVIEW_LABELS,
  PREVIEW_SCHEME,
  previewErrorText,
  previewLanguage,
  previewLocation,
} from "./previewUri";
import type { ServerManager } from "./server";
import { isProtoDocument } from "./server";

export const PREVIEW_DEBOUNCE_MS = 300;

/** Optional argument of the open-preview command. */
export interface OpenPreviewArgs {
  uri?: string;
  kind?: PreviewKind;
  target?: string;
}

export class PreviewProvider implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly changeEmitter = new vscode.EventEmitter<vscode.Uri>();
  private readonly debouncer: KeyedDebouncer<string>;
  private readonly disposables: { dispose(): unknown }[];

  readonly onDidChange = this.changeEmitter.event;

  constructor(
    private readonly manager: ServerManager,
    debounceMs: number = PREVIEW_DEBOUNCE_MS,
  ) {
    this.debouncer = new KeyedDebouncer<string>(debounceMs);
    this.disposables = [
      this.changeEmitter,
      vscode.workspace.onDidChangeTextDocument((event) => {
        this.sourceChanged(event.document.uri);
      }),
      // A restarted server (or a first start after a failure) can now answer every open preview.
      manager.onDidChangeClient((client) => {
        if (client !== undefined) {
          this.refreshAll();
        }
      }),
    ];
  }

  async provideTextDocumentContent(uri: vscode.Uri, token: vscode.CancellationToken): Promise<string> {
    const params = parsePreviewQuery(uri.query);
    if (params === undefined) {
      return previewErrorText("ddl", `"${uri.toString()}" is not an EventAPI preview address.`);
    }
    const client = this.manager.runningClient;
    if (client === undefined) {
      return previewErrorText(params.kind, "the EventAPI language server is not running.");
    }
    try {
      const raw: unknown = await client.sendRequest(PREVIEW_REQUEST, params, token);
      return parsePreviewResult(raw).text;
    } catch (error) {
      return previewErrorText(params.kind, error instanceof Error ? error.message : String(error));
    }
  }

  /** Open preview documents, with what each one previews. */
  openPreviews(): { uri: vscode.Uri; params: PreviewParams }[] {
    const result: { uri: vscode.Uri; params: PreviewParams }[] = [];
    for (const document of vscode.workspace.textDocuments) {
      if (document.uri.scheme !== PREVIEW_SCHEME || document.isClosed) {
        continue;
      }
      const params = parsePreviewQuery(document.uri.query);
      if (params !== undefined) {
        result.push({ uri: document.uri, params });
      }
    }
    return result;
  }

  sourceChanged(source: vscode.Uri): void {
    if (source.scheme === PREVIEW_SCHEME) {
      return;
    }
    const key = source.toString();
    for (const preview of this.openPreviews()) {
      if (preview.params.uri === key) {
        this.debouncer.trigger(preview.uri.toString(), () => {
          this.changeEmitter.fire(preview.uri);
        });
      }
    }
  }

  refreshAll(): void {
    for (const preview of this.openPreviews()) {
      this.changeEmitter.fire(preview.uri);
    }
  }

  /** Opens (or refreshes) the preview of `args` beside the active editor. */
  async open(args: OpenPreviewArgs | undefined): Promise<vscode.TextEditor | undefined> {
    const source = args?.uri ?? this.activeSource();
    if (source === undefined) {
      void vscode.window.showErrorMessage("EventAPI preview: open a .proto file first.");
      return undefined;
    }
    const kind = args?.kind ?? (await pickKind());
    if (kind === undefined) {
      return undefined;
    }
    const params: PreviewParams =
      args?.target === undefined ? { uri: source, kind } : { uri: source, kind, target: args.target };
    const location = previewLocation(params);
    const uri = vscode.Uri.from({ scheme: PREVIEW_SCHEME, path: location.path, query: location.query });
    let document = await vscode.workspace.openTextDocument(uri);
    if (document.languageId !== previewLanguage(kind)) {
      document = await vscode.languages.setTextDocumentLanguage(document, previewLanguage(kind));
    }
    // An already open preview may be stale when the server restarted meanwhile.
    this.changeEmitter.fire(uri);
    return vscode.window.showTextDocument(document, {
      viewColumn: vscode.ViewColumn.Beside,
      preserveFocus: true,
      preview: false,
    });
  }

  dispose(): void {
    this.debouncer.dispose();
    for (const disposable of this.disposables) {
      disposable.dispose();
    }
  }

  /** The active .proto, or the source of the active preview (to switch its kind). */
  private activeSource(): string | undefined {
    const document = vscode.window.activeTextEditor?.document;
    if (document === undefined) {
      return undefined;
    }
    if (document.uri.scheme === PREVIEW_SCHEME) {
      return parsePreviewQuery(document.uri.query)?.uri;
    }
    return isProtoDocument(document) ? document.uri.toString() : undefined;
  }
}

async function pickKind(): Promise<PreviewKind | undefined> {
  const items: (vscode.QuickPickItem & { previewKind: PreviewKind })[] = [
    { label: PREVIEW_LABELS.sdk, description: "generated Python SDK", previewKind: "sdk" },
    { label: PREVIEW_LABELS.ddl, description: "CREATE TABLE for each sink target", previewKind: "ddl" },
    { label: PREVIEW_LABELS.flink, description: "Flink SQL pipeline for each sink", previewKind: "flink" },
  ];
  const choice = await vscode.window.showQuickPick(items, { placeHolder: "Preview which output?" });
  return choice?.previewKind;
}

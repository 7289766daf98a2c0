// A small in-memory stand-in for the `vscode` API, enough for the extension's own logic.
// VS Code itself cannot be downloaded in this environment, so unit tests run against this;
// the tests drive it through `control` (settings, dialog answers) and read what was recorded.

export class Disposable {
  constructor(private readonly callOnDispose: () => void) {}
  static from(...items: { dispose(): unknown }[]): Disposable {
    return new Disposable(() => {
      for (const item of items) {
        item.dispose();
      }
    });
  }
  dispose(): void {
    this.callOnDispose();
  }
}

type Listener<T> = (value: T) => unknown;

export class EventEmitter<T> {
  private listeners: Listener<T>[] = [];
  readonly event = (listener: Listener<T>): Disposable => {
    this.listeners.push(listener);
    return new Disposable(() => {
      this.listeners = this.listeners.filter((candidate) => candidate !== listener);
    });
  };
  fire(value: T): void {
    for (const listener of [...this.listeners]) {
      listener(value);
    }
  }
  get listenerCount(): number {
    return this.listeners.length;
  }
  dispose(): void {
    this.listeners = [];
  }
}

export class Uri {
  private constructor(
    readonly scheme: string,
    readonly authority: string,
    readonly path: string,
    readonly query: string,
    readonly fragment: string,
  ) {}

  static from(parts: { scheme: string; authority?: string; path?: string; query?: string; fragment?: string }): Uri {
    return new Uri(parts.scheme, parts.authority ?? "", parts.path ?? "", parts.query ?? "", parts.fragment ?? "");
  }

  static file(fsPath: string): Uri {
    return new Uri("file", "", fsPath, "", "");
  }

  static parse(value: string): Uri {
    const match = /^([a-zA-Z][\w+.-]*):(?:\/\/([^/?#]*))?([^?#]*)(?:\?([^#]*))?(?:#(.*))?$/.exec(value);
    if (match === null) {
      throw new Error(`stub Uri.parse: cannot parse ${value}`);
    }
    const [, scheme = "", authority = "", path = "", query = "", fragment = ""] = match;
    return new Uri(scheme, authority, decodeURIComponent(path), decodeURIComponent(query), decodeURIComponent(fragment));
  }

  get fsPath(): string {
    return this.path;
  }

  with(change: { scheme?: string; path?: string; query?: string }): Uri {
    return new Uri(change.scheme ?? this.scheme, this.authority, change.path ?? this.path, change.query ?? this.query, this.fragment);
  }

  toString(): string {
    const authority = this.authority !== "" || this.scheme === "file" ? `//${this.authority}` : "";
    const path = this.path.split("/").map(encodeURIComponent).join("/");
    const query = this.query === "" ? "" : `?${encodeURIComponent(this.query)}`;
    const fragment = this.fragment === "" ? "" : `#${encodeURIComponent(this.fragment)}`;
    return `${this.scheme}:${authority}${path}${query}${fragment}`;
  }
}

export class ThemeColor {
  constructor(readonly id: string) {}
}

export class CancellationTokenSource {
  private readonly emitter = new EventEmitter<undefined>();
  readonly token = {
    isCancellationRequested: false,
    onCancellationRequested: this.emitter.event,
  };
  cancel(): void {
    this.token.isCancellationRequested = true;
    this.emitter.fire(undefined);
  }
  dispose(): void {
    this.emitter.dispose();
  }
}

export enum StatusBarAlignment {
  Left = 1,
  Right = 2,
}

export enum ProgressLocation {
  SourceControl = 1,
  Window = 10,
  Notification = 15,
}

export enum ViewColumn {
  Active = -1,
  Beside = -2,
  One = 1,
  Two = 2,
}

export interface StubTextDocument {
  uri: Uri;
  languageId: string;
  isClosed: boolean;
  text: string;
  getText(): string;
}

function makeDocument(uri: Uri, languageId: string, text: string): StubTextDocument {
  return { uri, languageId, isClosed: false, text, getText: () => text };
}

export interface StubStatusBarItem {
  id: string;
  alignment: StatusBarAlignment;
  priority: number | undefined;
  name: string | undefined;
  text: string;
  tooltip: string | undefined;
  command: string | undefined;
  backgroundColor: ThemeColor | undefined;
  visible: boolean;
  disposed: boolean;
  show(): void;
  hide(): void;
  dispose(): void;
}

export interface StubLogChannel {
  name: string;
  lines: string[];
  shown: number;
  append(value: string): void;
  appendLine(value: string): void;
  replace(value: string): void;
  clear(): void;
  show(): void;
  hide(): void;
  dispose(): void;
  trace(message: string): void;
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string | Error): void;
}

export interface ShownMessage {
  level: "info" | "warning" | "error";
  message: string;
  items: string[];
}

interface ProviderLike {
  provideTextDocumentContent(uri: Uri, token: unknown): string | Promise<string>;
  onDidChange?: (listener: (uri: Uri) => unknown) => Disposable;
}

/** Test-side handle: set the world up, then inspect what the extension did with it. */
export const control = {
  configuration: new Map<string, unknown>(),
  messages: [] as ShownMessage[],
  statusBarMessages: [] as { text: string; timeoutMs: number | undefined }[],
  /** Answer for the next message boxes with buttons, in order; undefined = dismissed. */
  messageAnswers: [] as (string | undefined)[],
  quickPickAnswers: [] as unknown[],
  quickPicks: [] as { items: unknown[]; options: unknown }[],
  statusItems: [] as StubStatusBarItem[],
  outputChannels: [] as StubLogChannel[],
  progress: [] as { title: string | undefined; reports: { message?: string; increment?: number }[] }[],
  shownDocuments: [] as { document: StubTextDocument; options: unknown }[],
  executedCommands: [] as { command: string; args: unknown[] }[],
  commands: new Map<string, (...args: unknown[]) => unknown>(),
  contentProviders: new Map<string, ProviderLike>(),
  textDocuments: [] as StubTextDocument[],
  workspaceFolders: undefined as { uri: Uri; name: string; index: number }[] | undefined,
  activeTextEditor: undefined as { document: StubTextDocument } | undefined,
  didChangeConfiguration: new EventEmitter<{ affectsConfiguration(section: string): boolean }>(),
  didChangeTextDocument: new EventEmitter<{ document: StubTextDocument; contentChanges: unknown[] }>(),
  reset(): void {
    this.configuration.clear();
    this.messages = [];
    this.statusBarMessages = [];
    this.messageAnswers = [];
    this.quickPickAnswers = [];
    this.quickPicks = [];
    this.statusItems = [];
    this.outputChannels = [];
    this.progress = [];
    this.shownDocuments = [];
    this.executedCommands = [];
    this.commands.clear();
    this.contentProviders.clear();
    this.textDocuments = [];
    this.workspaceFolders = undefined;
    this.activeTextEditor = undefined;
    this.didChangeConfiguration = new EventEmitter();
    this.didChangeTextDocument = new EventEmitter();
  },
  /** Changes settings (keys like "eventapi.outputDir") and fires onDidChangeConfiguration. */
  changeConfiguration(values: Record<string, unknown>): void {
    for (const [key, value] of Object.entries(values)) {
      this.configuration.set(key, value);
    }
    const changed = Object.keys(values);
    this.didChangeConfiguration.fire({
      affectsConfiguration: (section: string) =>
        changed.some((key) => key === section || key.startsWith(`${section}.`)),
    });
  },
  openDocument(uri: Uri, languageId: string, text = ""): StubTextDocument {
    const document = makeDocument(uri, languageId, text);
    this.textDocuments.push(document);
    return document;
  },
};

function showMessage(level: ShownMessage["level"], message: string, items: unknown[]): Promise<string | undefined> {
  const buttons = items.filter((item): item is string => typeof item === "string");
  control.messages.push({ level, message, items: buttons });
  return Promise.resolve(buttons.length > 0 ? control.messageAnswers.shift() : undefined);
}

export const window = {
  get activeTextEditor(): { document: StubTextDocument } | undefined {
    return control.activeTextEditor;
  },
  createOutputChannel(name: string): StubLogChannel {
    const channel: StubLogChannel = {
      name,
      lines: [],
      shown: 0,
      append(value) {
        channel.lines.push(value);
      },
      appendLine(value) {
        channel.lines.push(value);
      },
      replace(value) {
        channel.lines = [value];
      },
      clear() {
        channel.lines = [];
      },
      show() {
        channel.shown += 1;
      },
      hide() {
        /* nothing to hide in memory */
      },
      dispose() {
        /* nothing to release */
      },
      trace(message) {
        channel.lines.push(`[trace] ${message}`);
      },
      debug(message) {
        channel.lines.push(`[debug] ${message}`);
      },
      info(message) {
        channel.lines.push(`[info] ${message}`);
      },
      warn(message) {
        channel.lines.push(`[warn] ${message}`);
      },
      error(message) {
        channel.lines.push(`[error] ${String(message)}`);
      },
    };
    control.outputChannels.push(channel);
    return channel;
  },
  createStatusBarItem(id: string, alignment: StatusBarAlignment, priority?: number): StubStatusBarItem {
    const item: StubStatusBarItem = {
      id,
      alignment,
      priority,
      name: undefined,
      text: "",
      tooltip: undefined,
      command: undefined,
      backgroundColor: undefined,
      visible: false,
      disposed: false,
      show() {
        item.visible = true;
      },
      hide() {
        item.visible = false;
      },
      dispose() {
        item.disposed = true;
      },
    };
    control.statusItems.push(item);
    return item;
  },
  setStatusBarMessage(text: string, timeoutMs?: number): Disposable {
    const entry = { text, timeoutMs };
    control.statusBarMessages.push(entry);
    return new Disposable(() => {
      control.statusBarMessages = control.statusBarMessages.filter((candidate) => candidate !== entry);
    });
  },
  showInformationMessage(message: string, ...items: unknown[]): Promise<string | undefined> {
    return showMessage("info", message, items);
  },
  showWarningMessage(message: string, ...items: unknown[]): Promise<string | undefined> {
    return showMessage("warning", message, items);
  },
  showErrorMessage(message: string, ...items: unknown[]): Promise<string | undefined> {
    return showMessage("error", message, items);
  },
  showQuickPick(items: unknown[], options: unknown): Promise<unknown> {
    control.quickPicks.push({ items, options });
    return Promise.resolve(control.quickPickAnswers.shift());
  },
  async withProgress<R>(
    options: { title?: string },
    task: (progress: { report(value: { message?: string; increment?: number }): void }, token: unknown) => Promise<R>,
  ): Promise<R> {
    const record = { title: options.title, reports: [] as { message?: string; increment?: number }[] };
    control.progress.push(record);
    const source = new CancellationTokenSource();
    return task({ report: (value) => record.reports.push(value) }, source.token);
  },
  showTextDocument(document: StubTextDocument, options: unknown): Promise<{ document: StubTextDocument }> {
    control.shownDocuments.push({ document, options });
    return Promise.resolve({ document });
  },
};

function configurationFor(section: string): { get(key: string): unknown } {
  return {
    get: (key: string) => control.configuration.get(`${section}.${key}`),
  };
}

export const workspace = {
  get workspaceFolders(): { uri: Uri; name: string; index: number }[] | undefined {
    return control.workspaceFolders;
  },
  get textDocuments(): StubTextDocument[] {
    return control.textDocuments;
  },
  getConfiguration(section: string): { get(key: string): unknown } {
    return configurationFor(section);
  },
  getWorkspaceFolder(uri: Uri): { uri: Uri; name: string; index: number } | undefined {
    return control.workspaceFolders?.find((folder) => uri.path.startsWith(`${folder.uri.path}/`));
  },
  onDidChangeConfiguration(listener: Listener<{ affectsConfiguration(section: string): boolean }>): Disposable {
    return control.didChangeConfiguration.event(listener);
  },
  onDidChangeTextDocument(listener: Listener<{ document: StubTextDocument; contentChanges: unknown[] }>): Disposable {
    return control.didChangeTextDocument.event(listener);
  },
  createFileSystemWatcher(pattern: string): { pattern: string; dispose(): void } {
    return {
      pattern,
      dispose() {
        /* no watcher to stop */
      },
    };
  },
  registerTextDocumentContentProvider(scheme: string, provider: ProviderLike): Disposable {
    control.contentProviders.set(scheme, provider);
    return new Disposable(() => control.contentProviders.delete(scheme));
  },
  async openTextDocument(uri: Uri): Promise<StubTextDocument> {
    const existing = control.textDocuments.find((document) => document.uri.toString() === uri.toString());
    if (existing !== undefined) {
      return existing;
    }
    const provider = control.contentProviders.get(uri.scheme);
    if (provider === undefined) {
      throw new Error(`stub openTextDocument: no content provider for ${uri.scheme}`);
    }
    const text = await provider.provideTextDocumentContent(uri, new CancellationTokenSource().token);
    const extension = uri.path.split(".").pop();
    const languageId = extension === "py" ? "python" : extension === "sql" ? "sql" : "plaintext";
    return control.openDocument(uri, languageId, text);
  },
};

export const languages = {
  setTextDocumentLanguage(document: StubTextDocument, languageId: string): Promise<StubTextDocument> {
    document.languageId = languageId;
    return Promise.resolve(document);
  },
};

export const commands = {
  registerCommand(command: string, callback: (...args: unknown[]) => unknown): Disposable {
    if (control.commands.has(command)) {
      throw new Error(`command '${command}' already exists`);
    }
    control.commands.set(command, callback);
    return new Disposable(() => control.commands.delete(command));
  },
  executeCommand(command: string, ...args: unknown[]): Promise<unknown> {
    control.executedCommands.push({ command, args });
    const callback = control.commands.get(command);
    return Promise.resolve(callback === undefined ? undefined : callback(...args));
  },
};

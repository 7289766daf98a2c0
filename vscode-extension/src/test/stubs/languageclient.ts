// Stand-in for `vscode-languageclient/node`: the real protocol constants (they need no VS Code)
// plus a scripted LanguageClient that records what the extension asks of it.
import {
  DidChangeConfigurationNotification,
  ExecuteCommandRequest,
  WorkDoneProgress,
} from "vscode-languageserver-protocol";

import { EventEmitter } from "./vscode";

export { DidChangeConfigurationNotification, ExecuteCommandRequest, WorkDoneProgress };

export enum State {
  Stopped = 1,
  Running = 2,
  Starting = 3,
}

export enum RevealOutputChannelOn {
  Debug = 0,
  Info = 1,
  Warn = 2,
  Error = 3,
  Never = 4,
}

type RequestHandler = (method: string, params: unknown, client: LanguageClient) => unknown;

/** Scripts for the next clients: how start() behaves and how requests are answered. */
export const clientControl = {
  instances: [] as LanguageClient[],
  startError: undefined as Error | undefined,
  onRequest: ((method: string) => {
    throw new Error(`no scripted answer for ${method}`);
  }) as RequestHandler,
  reset(): void {
    this.instances = [];
    this.startError = undefined;
    this.onRequest = (method: string) => {
      throw new Error(`no scripted answer for ${method}`);
    };
  },
};

function methodOf(type: unknown): string {
  if (typeof type === "string") {
    return type;
  }
  return (type as { method: string }).method;
}

export class LanguageClient {
  state: State = State.Stopped;
  readonly requests: { method: string; params: unknown; token: unknown }[] = [];
  readonly notifications: { method: string; params: unknown }[] = [];
  readonly progressHandlers = new Map<string | number, (value: unknown) => void>();
  disposed = false;
  private readonly stateEmitter = new EventEmitter<{ oldState: State; newState: State }>();
  readonly onDidChangeState = this.stateEmitter.event;

  constructor(
    readonly id: string,
    readonly name: string,
    readonly serverOptions: unknown,
    readonly clientOptions: Record<string, unknown>,
  ) {
    clientControl.instances.push(this);
  }

  setState(newState: State): void {
    const oldState = this.state;
    this.state = newState;
    this.stateEmitter.fire({ oldState, newState });
  }

  start(): Promise<void> {
    this.setState(State.Starting);
    if (clientControl.startError !== undefined) {
      this.setState(State.Stopped);
      return Promise.reject(clientControl.startError);
    }
    this.setState(State.Running);
    return Promise.resolve();
  }

  dispose(): Promise<void> {
    this.disposed = true;
    if (this.state !== State.Stopped) {
      this.setState(State.Stopped);
    }
    return Promise.resolve();
  }

  stop(): Promise<void> {
    return this.dispose();
  }

  sendRequest(type: unknown, params: unknown, token?: unknown): Promise<unknown> {
    const method = methodOf(type);
    this.requests.push({ method, params, token });
    try {
      return Promise.resolve(clientControl.onRequest(method, params, this));
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
  }

  sendNotification(type: unknown, params: unknown): Promise<void> {
    this.notifications.push({ method: methodOf(type), params });
    return Promise.resolve();
  }

  onProgress(_type: unknown, token: string | number, handler: (value: unknown) => void): { dispose(): void } {
    this.progressHandlers.set(token, handler);
    return {
      dispose: () => {
        this.progressHandlers.delete(token);
      },
    };
  }
}

// Per-key debouncing: collapses bursts of edits into one call per key after a quiet period.

export interface TimerApi {
  setTimeout: (callback: () => void, ms: number) => unknown;
  clearTimeout: (handle: unknown) => void;
}

const realTimers: TimerApi = {
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => {
    clearTimeout(handle as ReturnType<typeof setTimeout>);
  },
};

export class KeyedDebouncer<K> {
  private readonly pending = new Map<K, unknown>();

  constructor(
    private readonly delayMs: number,
    private readonly timers: TimerApi = realTimers,
  ) {}

  /** Schedules `action` for `key`, replacing any call still waiting for that key. */
  trigger(key: K, action: () => void): void {
    this.cancel(key);
    const handle = this.timers.setTimeout(() => {
      this.pending.delete(key);
      action();
    }, this.delayMs);
    this.pending.set(key, handle);
  }

  cancel(key: K): void {
    const handle = this.pending.get(key);
    if (handle !== undefined) {
      this.timers.clearTimeout(handle);
      this.pending.delete(key);
    }
  }

  isPending(key: K): boolean {
    return this.pending.has(key);
  }

  dispose(): void {
    for (const handle of this.pending.values()) {
      this.timers.clearTimeout(handle);
    }
    this.pending.clear();
  }
}

import type { RunEvent } from '../runbook/events.js';
import type { RunHandle } from '../runbook/run-handle.js';
import { initialScreenState, runReducer, type ScreenState } from './run-state.js';
import { journalSoFar } from './rendering.js';

export interface RunStoreOptions {
  /** Events are batched and published at most this often (≈10 redraws a second). */
  flushMs?: number;
  /** The elapsed-time clock ticks this often, only while the run is going. */
  clockMs?: number;
  now?: () => number;
}

/**
 * Turns a run's event stream into throttled snapshots for useSyncExternalStore: the snapshot changes only when
 * listeners are told, so a burst of 5,000 progress events costs a handful of renders.
 */
export class RunStore {
  private state: ScreenState;
  private queue: RunEvent[] = [];
  private readonly listeners = new Set<() => void>();
  private flushTimer: NodeJS.Timeout | undefined;
  private clockTimer: NodeJS.Timeout | undefined;
  private unsubscribeHandle: (() => void) | undefined;
  private lastFlush = 0;
  /** How many of the handle's history events `state` includes. */
  private applied = 0;
  private readonly flushMs: number;
  private readonly clockMs: number;
  private readonly now: () => number;

  constructor(
    private readonly handle: RunHandle,
    options: RunStoreOptions = {},
  ) {
    this.flushMs = options.flushMs ?? 100;
    this.clockMs = options.clockMs ?? 1000;
    this.now = options.now ?? Date.now;
    // From the first frame: a prompt drawn before the store is subscribed must not show without its run's header.
    // A resumed run: what the journal already said of its steps (not how it ended: it goes on), then this attempt's.
    this.state = this.caughtUp(journalSoFar(handle).reduce(runReducer, initialScreenState(this.now())));
  }

  /** `state` with the history's events it has not seen yet. */
  private caughtUp(state: ScreenState): ScreenState {
    const past = this.handle.history();
    const next = past.slice(this.applied).reduce(runReducer, state);
    this.applied = past.length;
    return { ...next, now: this.now() };
  }

  getSnapshot = (): ScreenState => this.state;

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    if (this.listeners.size === 1) this.start();
    return () => {
      this.listeners.delete(listener);
      if (this.listeners.size === 0) this.stop();
    };
  };

  private start(): void {
    this.state = this.caughtUp(this.state);
    this.unsubscribeHandle = this.handle.subscribe((event) => this.enqueue(event));
    this.updateClock();
    this.notify();
  }

  private stop(): void {
    this.unsubscribeHandle?.();
    this.unsubscribeHandle = undefined;
    // Unflushed events are in the history too; the next start() applies them from there.
    this.queue = [];
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    this.stopClock();
  }

  private enqueue(event: RunEvent): void {
    this.queue.push(event);
    // A question is drawn the moment it is asked: the steps around it must be as current as it is.
    if (event.type === 'prompt.asked') {
      if (this.flushTimer) clearTimeout(this.flushTimer);
      return this.flush();
    }
    if (this.flushTimer) return;
    // The first event after a quiet spell draws at once (a prompt must not show before its run's header); bursts batch.
    const wait = this.lastFlush + this.flushMs - Date.now();
    if (wait <= 0) this.flush();
    else this.flushTimer = setTimeout(() => this.flush(), wait);
  }

  private flush(): void {
    this.lastFlush = Date.now();
    this.flushTimer = undefined;
    const events = this.queue;
    this.queue = [];
    this.applied += events.length;
    this.state = { ...events.reduce(runReducer, this.state), now: this.now() };
    this.updateClock();
    this.notify();
  }

  private updateClock(): void {
    const running = this.state.startedAt !== undefined && !this.state.finished;
    if (running && !this.clockTimer) {
      this.clockTimer = setInterval(() => {
        // A flush moments ago already moved the clock; skipping saves a redraw during bursts.
        const now = this.now();
        if (now - this.state.now < this.clockMs / 2) return;
        this.state = { ...this.state, now };
        this.notify();
      }, this.clockMs);
      this.clockTimer.unref();
    } else if (!running) {
      this.stopClock();
    }
  }

  private stopClock(): void {
    if (this.clockTimer) clearInterval(this.clockTimer);
    this.clockTimer = undefined;
  }

  private notify(): void {
    for (const listener of this.listeners) listener();
  }
}

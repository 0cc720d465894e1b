/**
 * Watches a colyseus.js room: records every message, and lets a test wait until a condition
 * holds after a patch or a message arrives (never a sleep).
 */
import type { Room } from 'colyseus.js';

export interface Received {
  type: string;
  message: any;
}

export class Probe<State = any> {
  readonly messages: Received[] = [];
  leftWith?: number;
  private pings = 0;
  private readonly listeners = new Set<() => void>();

  constructor(readonly room: Room<State>) {
    room.onMessage('*', (type, message) => {
      this.messages.push({ type: String(type), message });
      this.notify();
    });
    room.onStateChange(() => this.notify());
    room.onLeave((code) => {
      this.leftWith = code;
      this.notify();
    });
  }

  get state(): State {
    return this.room.state;
  }

  /** Resolves once `condition` holds; checked now and after every patch, message and leave. */
  until(condition: () => boolean, label = 'condition', timeoutMs = 5000): Promise<void> {
    if (condition()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const check = () => {
        if (!condition()) return;
        clearTimeout(timer);
        this.listeners.delete(check);
        resolve();
      };
      const timer = setTimeout(() => {
        this.listeners.delete(check);
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${label}`));
      }, timeoutMs);
      this.listeners.add(check);
    });
  }

  /** Waits for a state in which `predicate` holds. */
  async stateWhere(predicate: (state: State) => boolean, label = 'state', timeoutMs?: number): Promise<State> {
    await this.until(() => this.room.state !== undefined && predicate(this.room.state), label, timeoutMs);
    return this.room.state;
  }

  /** Waits for a message of `type` matching `predicate` (already received ones count). */
  async message<T = any>(type: string, predicate: (message: T) => boolean = () => true, timeoutMs?: number): Promise<T> {
    const find = () => this.messages.find((entry) => entry.type === type && predicate(entry.message));
    await this.until(() => find() !== undefined, `message "${type}"`, timeoutMs);
    return find()!.message;
  }

  /** Sends a message carrying `rid` and waits for the `error` that echoes it. */
  async expectError(type: string, payload: Record<string, unknown> | unknown, rid = `r${Math.random().toString(36).slice(2)}`) {
    const body = payload && typeof payload === 'object' && !Array.isArray(payload) ? { ...(payload as object), rid } : payload;
    this.room.send(type, body);
    return this.message<{ code: string; message: string; rid?: string }>('error', (error) => error.rid === rid);
  }

  /**
   * Sends `ping` and waits for its `pong`: everything the server sent this client before has
   * arrived by then (one connection keeps order). A message like any other: it counts as activity.
   */
  async roundTrip(): Promise<void> {
    const t = -++this.pings; // negative: never one of the test's own pings
    this.room.send('ping', { t });
    await this.message('pong', (pong) => pong.t === t);
  }

  /** Waits until the server closes this connection; resolves with the close code. */
  async left(timeoutMs?: number): Promise<number> {
    await this.until(() => this.leftWith !== undefined, 'leave', timeoutMs);
    return this.leftWith!;
  }

  /** Calls `listener` after every patch, message and leave until the returned function is called. */
  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  count(type: string): number {
    return this.messages.filter((entry) => entry.type === type).length;
  }

  private notify() {
    for (const listener of [...this.listeners]) listener();
  }
}

/** Simulates a network drop: the socket closes without the consented-leave handshake. */
export function dropConnection(room: Room): void {
  room.connection.close(3000, 'network drop');
}

/** Resolves once `condition` holds, re-checked after anything any of `probes` receives. */
export function untilAny(probes: Probe[], condition: () => boolean, label: string, timeoutMs = 5000): Promise<void> {
  if (condition()) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const unsubscribe = probes.map((probe) => probe.subscribe(check));
    const timer = setTimeout(() => {
      unsubscribe.forEach((stop) => stop());
      reject(new Error(`timed out after ${timeoutMs} ms waiting for ${label}`));
    }, timeoutMs);
    function check() {
      if (!condition()) return;
      clearTimeout(timer);
      unsubscribe.forEach((stop) => stop());
      resolve();
    }
  });
}

/**
 * One Cabo bot in one room: it waits a think time, then sends the move `chooseCaboMove` picks
 * from the state it sees, answers powers, calls cabo now and then, and after `game_over` the host
 * asks for a rematch (the others wait for it, and requeue if none comes).
 *
 * It also times every turn move: from `send` until the patch where `lastAction.seq` moved with
 * this bot as `lastAction.playerId` and the move's type (the server's acknowledgement).
 */
import type { Room } from 'colyseus.js';
import { chooseCaboMove, isTurnMove, DEFAULT_CABO_POLICY, type CaboMove, type CaboPolicy, type CaboView } from './caboMoves';
import { thinkDelay } from './common';

export interface CaboBotOptions {
  /** Mean think time before each move (ms). */
  thinkMs: number;
  policy?: CaboPolicy;
  random?: () => number;
  /** A move whose acknowledgement could not be told apart within this time is forgotten (ms). */
  ackTimeoutMs?: number;
  /** Non-host players leave and requeue if no rematch started this long after game_over (ms). */
  rematchWaitMs?: number;
}

export interface CaboBotEvents {
  /** A turn move was acknowledged after `ms`. */
  ack?(ms: number, type: CaboMove['type']): void;
  /** The server answered `error` to a move (or to `rematch`). */
  rejected?(code: string, type: string): void;
  /** `game_over` arrived; `host` is true for exactly one bot of the room (if the host is a bot). */
  matchOver?(host: boolean): void;
  /** The bot wants another room (no rematch) or the server closed the room: the runner requeues. */
  finished?(reason: 'requeue' | 'closed', closeCode?: number): void;
}

interface LastAction {
  seq: number;
  playerId: string;
  type: string;
}

interface CaboRoomState extends CaboView {
  hostId: string;
  lastAction: LastAction;
}

interface Pending {
  move: CaboMove;
  seq: number;
  sentAt: number;
  rid: string;
}

export class CaboBot {
  private pending?: Pending;
  private timer?: NodeJS.Timeout;
  private ackTimer?: NodeJS.Timeout;
  private waitRematch?: NodeJS.Timeout;
  private stopped = false;
  private counter = 0;
  private readonly random: () => number;
  private readonly policy: CaboPolicy;

  constructor(
    readonly room: Room,
    readonly userId: string,
    private readonly options: CaboBotOptions,
    private readonly events: CaboBotEvents = {},
  ) {
    this.random = options.random ?? Math.random;
    this.policy = options.policy ?? DEFAULT_CABO_POLICY;
    room.onStateChange(() => this.onState());
    room.onMessage('error', (error: { code: string; rid?: string }) => this.onError(error));
    room.onMessage('game_over', () => this.onGameOver());
    room.onMessage('*', () => {}); // round_over, turn_warning, closing, removed: nothing to do
    room.onLeave((code) => {
      this.clear();
      if (!this.stopped) this.events.finished?.('closed', code);
      this.stopped = true;
    });
  }

  /** Stops acting (timers cleared); `leave` also closes the connection. */
  stop(): void {
    this.stopped = true;
    this.clear();
  }

  async leave(): Promise<void> {
    this.stop();
    if (this.room.connection.isOpen) await this.room.leave(true).catch(() => {});
  }

  private get state(): CaboRoomState | undefined {
    return this.room.state as unknown as CaboRoomState | undefined;
  }

  private onState(): void {
    const state = this.state;
    if (!state || this.stopped) return;
    const pending = this.pending;
    if (pending) {
      const last = state.lastAction;
      if (last && last.seq !== pending.seq) {
        if (last.playerId === this.userId && last.type === pending.move.type) {
          this.settle();
          if (isTurnMove(pending.move)) this.events.ack?.(performance.now() - pending.sentAt, pending.move.type);
        } else if (last.seq - pending.seq >= 2) {
          // Ours was applied together with other actions in one patch (e.g. everyone's `ready`):
          // done, but not timed.
          this.settle();
        }
      }
    }
    if (state.phase === 'playing') this.cancelRematchWait();
    this.schedule();
  }

  /** Plans the next move after a think time, unless one is planned or awaiting its ack. */
  private schedule(): void {
    if (this.timer || this.pending || this.stopped) return;
    const state = this.state;
    if (!state || !chooseCaboMove(state, this.userId, this.random, this.policy)) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.act();
    }, thinkDelay(this.options.thinkMs, this.random));
  }

  private act(): void {
    const state = this.state;
    if (!state || this.stopped || this.pending) return;
    const move = chooseCaboMove(state, this.userId, this.random, this.policy);
    if (!move) return;
    const rid = `m${++this.counter}`;
    this.pending = { move, seq: state.lastAction?.seq ?? 0, sentAt: performance.now(), rid };
    this.ackTimer = setTimeout(() => {
      // Never acknowledged in a way we could tell: forget it and look at the state afresh.
      this.ackTimer = undefined;
      this.pending = undefined;
      this.schedule();
    }, this.options.ackTimeoutMs ?? 5000);
    this.room.send(move.type, { ...move.payload, rid });
  }

  /** The pending move is done (acknowledged or refused). */
  private settle(): void {
    this.pending = undefined;
    if (this.ackTimer) clearTimeout(this.ackTimer);
    this.ackTimer = undefined;
  }

  private onError(error: { code: string; rid?: string }): void {
    if (this.pending && error.rid === this.pending.rid) {
      this.events.rejected?.(error.code, this.pending.move.type);
      this.settle();
      this.schedule();
      return;
    }
    if (error.rid === 'rematch') {
      this.events.rejected?.(error.code, 'rematch');
      this.requeue();
      return;
    }
    this.events.rejected?.(error.code, 'other');
  }

  private onGameOver(): void {
    const host = this.state?.hostId === this.userId;
    this.events.matchOver?.(host);
    this.settle();
    if (host) {
      setTimeout(() => {
        if (!this.stopped && this.state?.phase === 'finished') this.room.send('rematch', { rid: 'rematch' });
      }, thinkDelay(this.options.thinkMs, this.random));
    }
    this.cancelRematchWait();
    this.waitRematch = setTimeout(() => {
      this.waitRematch = undefined;
      if (!this.stopped && this.state?.phase !== 'playing') this.requeue();
    }, this.options.rematchWaitMs ?? 15_000);
  }

  private requeue(): void {
    if (this.stopped) return;
    this.stop();
    this.events.finished?.('requeue');
  }

  private cancelRematchWait(): void {
    if (this.waitRematch) clearTimeout(this.waitRematch);
    this.waitRematch = undefined;
  }

  private clear(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.settle();
    this.cancelRematchWait();
  }
}

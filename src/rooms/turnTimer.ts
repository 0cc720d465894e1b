/**
 * Turn timer on the room clock: the deadline lives in state (`turn`, `turnDeadline`, epoch ms),
 * `turn_warning` goes out before it expires, and the game's hook runs at expiry.
 */
import type { Clock, Delayed } from '@colyseus/core';
import type { GameState } from './schema/GameState';

/** Seconds left when `turn_warning` is sent (or half the turn, for turns of 20 s or less). */
export const TURN_WARNING_SECONDS = 10;
/** Extra turn time given to a player who reconnects during their own turn (once per turn). */
export const RECONNECT_GRACE_SECONDS = 15;

export interface TurnTimerHost {
  clock: Clock;
  state: GameState;
  broadcast(type: string, message: unknown): void;
}

export class TurnTimer {
  private warning?: Delayed;
  private expiry?: Delayed;
  /** Whether the current turn already got its extension (at most one per turn). */
  private extended = false;

  constructor(
    private readonly host: TurnTimerHost,
    /** The room's time (epoch ms). */
    private readonly now: () => number,
    private readonly onExpire: (userId: string) => void,
  ) {}

  /** Starts `userId`'s turn, ending in `seconds`. */
  start(userId: string, seconds: number): void {
    this.startUntil(userId, this.now() + seconds * 1000, seconds);
  }

  /** Starts a turn with an absolute deadline (e.g. resumed after a restart). */
  startUntil(userId: string, deadline: number, turnSeconds: number): void {
    this.clear();
    this.extended = false;
    this.host.state.turn = userId;
    this.host.state.turnDeadline = deadline;
    this.schedule(turnSeconds);
  }

  /**
   * Gives the player whose turn it is extra time (e.g. after a reconnection), once per turn:
   * rejoining again and again must not stretch a turn without end.
   */
  extend(userId: string, seconds: number, turnSeconds: number): void {
    if (this.host.state.turn !== userId || !this.expiry || this.extended) return;
    this.extended = true;
    this.clear();
    this.host.state.turnDeadline += seconds * 1000;
    this.schedule(turnSeconds);
  }

  /** Ends timing; `turn` is cleared too. */
  stop(): void {
    this.clear();
    this.host.state.turn = '';
    this.host.state.turnDeadline = 0;
  }

  private schedule(turnSeconds: number): void {
    const { state, clock } = this.host;
    const userId = state.turn;
    const remaining = Math.max(0, state.turnDeadline - this.now());
    const warnAt = Math.min(TURN_WARNING_SECONDS, Math.floor(turnSeconds / 2)) * 1000;
    if (remaining > warnAt) {
      this.warning = clock.setTimeout(() => {
        this.host.broadcast('turn_warning', { userId, secondsLeft: Math.round((state.turnDeadline - this.now()) / 1000) });
      }, remaining - warnAt);
    }
    this.expiry = clock.setTimeout(() => {
      this.clear();
      this.onExpire(userId);
    }, remaining);
  }

  private clear(): void {
    this.warning?.clear();
    this.expiry?.clear();
    this.warning = this.expiry = undefined;
  }
}

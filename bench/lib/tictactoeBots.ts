/**
 * The same tic-tac-toe bot for both servers: after a think time it places its mark on a random
 * empty cell; after the game the first player asks for a rematch. It times each move from send
 * until the server's state shows it (Arena: the patch with the mark; boardgame.io: the update or
 * patch with a newer `_stateID`).
 */
import type { Room } from 'colyseus.js';
import { thinkDelay } from '../../loadtest/common';

export interface TttEvents {
  ack(ms: number): void;
  rejected(code: string): void;
  matchOver(counted: boolean): void;
  /** The bot gave up its room (no rematch came, or the server closed it). */
  finished(reason: 'requeue' | 'closed'): void;
}

/** A random empty cell of a 9-cell board ('' = empty), or -1 when the board is full. */
export function randomEmptyCell(board: ArrayLike<string>, random: () => number = Math.random): number {
  const empty: number[] = [];
  for (let cell = 0; cell < 9; cell++) if (board[cell] === '') empty.push(cell);
  return empty.length === 0 ? -1 : empty[Math.floor(random() * empty.length) % empty.length];
}

interface ArenaTttState {
  phase: string;
  turn: string;
  hostId: string;
  result: string;
  board: ArrayLike<string>;
  marks: ArrayLike<string>;
}

/** Arena `tictactoe` room bot (colyseus.js). */
export class ArenaTttBot {
  private pending?: { cell: number; sentAt: number; rid: string };
  private timer?: NodeJS.Timeout;
  private waitRematch?: NodeJS.Timeout;
  private stopped = false;
  private counter = 0;

  constructor(
    readonly room: Room,
    readonly userId: string,
    private readonly thinkMs: number,
    private readonly events: TttEvents,
  ) {
    room.onStateChange(() => this.onState());
    room.onMessage('error', (error: { code: string; rid?: string }) => {
      this.events.rejected(error.code);
      if (error.rid === 'rematch') return this.requeue();
      if (this.pending && error.rid === this.pending.rid) this.pending = undefined;
      this.schedule();
    });
    room.onMessage('game_over', () => {
      const host = this.state?.hostId === this.userId;
      this.events.matchOver(host);
      this.pending = undefined;
      if (host) {
        setTimeout(() => {
          if (!this.stopped && this.state?.phase === 'finished') this.room.send('rematch', { rid: 'rematch' });
        }, thinkDelay(this.thinkMs));
      }
      if (this.waitRematch) clearTimeout(this.waitRematch);
      this.waitRematch = setTimeout(() => {
        if (!this.stopped && this.state?.phase !== 'playing') this.requeue();
      }, 15_000);
    });
    room.onMessage('*', () => {});
    room.onLeave(() => {
      const wasRunning = !this.stopped;
      this.stop();
      if (wasRunning) this.events.finished('closed');
    });
  }

  private get state(): ArenaTttState | undefined {
    return this.room.state as unknown as ArenaTttState | undefined;
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    if (this.waitRematch) clearTimeout(this.waitRematch);
    this.timer = this.waitRematch = undefined;
  }

  private requeue(): void {
    if (this.stopped) return;
    this.stop();
    this.events.finished('requeue');
  }

  private myMark(state: ArenaTttState): string {
    return state.marks[0] === this.userId ? 'X' : 'O';
  }

  private onState(): void {
    const state = this.state;
    if (!state || this.stopped) return;
    const pending = this.pending;
    if (pending && state.board[pending.cell] !== '') {
      this.pending = undefined;
      if (state.board[pending.cell] === this.myMark(state)) this.events.ack(performance.now() - pending.sentAt);
    }
    if (state.phase === 'playing' && this.waitRematch) {
      clearTimeout(this.waitRematch);
      this.waitRematch = undefined;
    }
    this.schedule();
  }

  private canMove(state: ArenaTttState | undefined): state is ArenaTttState {
    return !!state && state.phase === 'playing' && state.result === '' && state.turn === this.userId;
  }

  private schedule(): void {
    if (this.timer || this.pending || this.stopped || !this.canMove(this.state)) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      const state = this.state;
      if (this.stopped || this.pending || !this.canMove(state)) return;
      const cell = randomEmptyCell(state.board);
      if (cell < 0) return;
      const rid = `t${++this.counter}`;
      this.pending = { cell, sentAt: performance.now(), rid };
      this.room.send('place', { cell, rid });
    }, thinkDelay(this.thinkMs));
  }
}

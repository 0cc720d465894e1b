/**
 * Fixture game for the room-framework tests: seated players take turns adding 1–3 to a counter;
 * whoever reaches the target wins. A turn that times out adds 1; a forfeited player is skipped.
 * It also carries a `@view()` secret so tests can prove hidden fields never leak.
 */
import { MapSchema, type, view, StateView } from '@colyseus/schema';
import type { Client } from '@colyseus/core';
import { z } from 'zod';
import { GameRoom, type BaseRoomOptions, type ForfeitReason, type Member } from '../../src/rooms/GameRoom';
import type { GameDefinition } from '../../src/matchmaking/registry';
import { GameState, RoomConfigState } from '../../src/rooms/schema/GameState';
import { buildOptionSchemas } from '../../src/rooms/options';
import { requirePlaying } from '../../src/rooms/hostCommands';
import { messageSchema } from '../../src/protocol/messages';
import { ArenaError } from '../../src/protocol/errors';

export class CounterConfigState extends RoomConfigState {
  @type('uint16') target = 10;
}

export class CounterState extends GameState {
  @type(CounterConfigState) config = new CounterConfigState();
  @type('uint32') count = 0;
  @type({ map: 'boolean' }) out = new MapSchema<boolean>();
  @type('string') winner = '';
  @type('uint8') matches = 0;
  /** Visible to players only (never to spectators or the monitor). */
  @view() @type('string') secret = '';
}

interface CounterOptions extends BaseRoomOptions {
  target: number;
}

export class CounterRoom extends GameRoom<CounterState, CounterOptions> {
  static override optionSchemas = buildOptionSchemas(
    { seatRange: [1, 6], maxPlayers: 4, minPlayers: 2, turnSeconds: 30 },
    { target: z.number().int().min(1).max(1000).default(10) },
  );

  /** Every turn timeout the room saw, for assertions. */
  timeouts: string[] = [];
  forfeits: Array<{ userId: string; reason: ForfeitReason }> = [];

  protected createState() {
    return new CounterState();
  }

  protected override onOptionsApplied() {
    this.state.config.target = this.options.target;
  }

  protected override registerMessages() {
    this.handle('increment', messageSchema({ by: z.number().int().min(1).max(3) }), 'player', ({ userId }, { by }) => {
      requirePlaying(this.phase);
      if (this.state.out.get(userId)) throw new ArenaError('INVALID_ACTION', 'you are out of this match');
      if (userId !== this.state.turn) throw new ArenaError('NOT_YOUR_TURN', 'wait for your turn');
      this.advance(by);
    });
  }

  protected override onSessionReady(client: Client, member: Member) {
    client.view = new StateView();
    if (member.role === 'player') client.view.add(this.state, 'secret' as never);
  }

  protected onMatchStart() {
    this.state.count = 0;
    this.state.winner = '';
    this.state.out.clear();
    this.state.matches++;
    this.state.secret = `secret-${Math.random().toString(36).slice(2)}`;
    this.turnTimer.start(this.seats.seatedIds()[0], this.options.turnSeconds);
  }

  protected override onTurnTimeout(userId: string) {
    this.timeouts.push(userId);
    this.advance(1);
  }

  protected override onForfeit(userId: string, reason: ForfeitReason) {
    this.forfeits.push({ userId, reason });
    this.state.out.set(userId, true);
    const active = this.activePlayers();
    if (active.length < 2) return this.win(active[0] ?? '');
    if (this.state.turn === userId) this.nextTurn(userId);
  }

  private advance(by: number) {
    this.state.count += by;
    if (this.state.count >= this.options.target) return this.win(this.state.turn);
    this.nextTurn(this.state.turn);
  }

  private nextTurn(after: string) {
    const seats = this.seats.seatedIds();
    const start = seats.indexOf(after);
    for (let step = 1; step <= seats.length; step++) {
      const candidate = seats[(start + step) % seats.length];
      if (!this.state.out.get(candidate)) return this.turnTimer.start(candidate, this.options.turnSeconds);
    }
  }

  private activePlayers() {
    return this.seats.seatedIds().filter((id) => !this.state.out.get(id));
  }

  private win(userId: string) {
    this.state.winner = userId;
    this.finishMatch();
  }
}

/** The fixture's registration, as tests serve it beside the real games. */
export const counter: GameDefinition = { name: 'counter', room: CounterRoom };

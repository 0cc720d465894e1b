/**
 * Helpers for the Cabo room tests: tables of real colyseus.js clients, access to the server room
 * and its rules state, a knowledge audit of every decoded patch, and a deterministic bot.
 */
import { strict as assert } from 'assert';
import type { Room as ClientRoom } from 'colyseus.js';
import { TestRandom, testSeed } from './seeds';
import {
  cardValue,
  createMatch,
  discardTop,
  legalActions,
  visibleCardIds,
  apply,
  type CaboAction,
  type CaboState as Match,
  type LogEntry,
  type PlayerId,
} from '../../src/games/cabo';
import type { CaboRoom } from '../../src/rooms/CaboRoom';
import { createRoom, joinRoom, type Seated, type TestArena } from './arena';

export interface CaboTable {
  code: string;
  /** Seated players in seat order (the first is host). */
  players: Seated[];
  spectators: Seated[];
  byId: Map<string, Seated>;
  server: CaboRoom;
}

/** Creates a cabo room with `count` players (and spectators), optionally forcing the match seeds. */
export async function caboTable(
  arena: TestArena,
  count: number,
  options: Record<string, unknown> = {},
  extra: { spectators?: number; seeds?: number[] } = {},
): Promise<CaboTable> {
  const host = await createRoom(arena, 'cabo', options);
  const players = [host];
  for (let i = 1; i < count; i++) players.push(await joinRoom(arena, host.room.roomId));
  const spectators: Seated[] = [];
  for (let i = 0; i < (extra.spectators ?? 0); i++) spectators.push(await joinRoom(arena, host.room.roomId, { spectate: true }));
  await host.probe.stateWhere((s) => s.players.size === count && s.spectatorCount === spectators.length, 'table seated');
  const server = serverRoom(arena, host.room.roomId);
  if (extra.seeds) {
    const seeds = extra.seeds.slice();
    const fallback = (server as any).createSeed.bind(server);
    (server as any).createSeed = () => (seeds.length > 0 ? testSeed(seeds.shift()!) : fallback());
  }
  return { code: host.room.roomId, players, spectators, byId: new Map(players.map((p) => [p.guest.user.id, p])), server };
}

export function serverRoom(arena: TestArena, code: string): CaboRoom {
  return arena.colyseus.getRoomById(code) as unknown as CaboRoom;
}

export function match(table: CaboTable): Match {
  const m = table.server.matchState;
  assert.ok(m, 'the match has started');
  return m;
}

/** Starts the match and waits until every player's client is in the setup of round 1. */
export async function startMatch(table: CaboTable): Promise<void> {
  table.players[0].room.send('start', {});
  await Promise.all(table.players.map((p) => p.probe.stateWhere((s) => s.phase === 'playing' && s.round === 1, 'match started')));
}

/** Sends an action from its player and waits for that client to see it accepted (lastAction moved). */
export async function play(table: CaboTable, playerId: string, action: CaboAction): Promise<void> {
  const seat = table.byId.get(playerId);
  assert.ok(seat, `no client for ${playerId}`);
  const seq = table.server.state.lastAction.seq;
  const { type, ...fields } = action as { type: string } & Record<string, unknown>;
  seat.room.send(type, fields);
  await seat.probe.stateWhere((s) => s.lastAction.seq > seq, `${type} accepted`);
}

/** Every active player sends `ready`; resolves when the turn phase has begun. */
export async function readyAll(table: CaboTable): Promise<void> {
  for (const p of match(table).players) if (!p.forfeited && !p.ready) await play(table, p.id, { type: 'ready' });
  assert.equal(match(table).phase, 'turn');
}

// ---- knowledge projection --------------------------------------------------------------------

/** What a client should decode for the card slots (values only where known, else undefined). */
export interface Projection {
  discardTop: number;
  players: Record<string, { hand: Array<number | undefined>; drawn: number | undefined; hasDrawn: boolean }>;
}

/** The projection of an engine state for `viewer` (null = spectator), from `visibleCardIds`. */
export function expectedProjection(m: Match, viewer: PlayerId | null): Projection {
  const visible = new Set(visibleCardIds(m, viewer));
  const top = discardTop(m);
  const players: Projection['players'] = {};
  for (const p of m.players) {
    const drawn = m.drawn && m.turn === p.id ? m.drawn.cardId : null;
    players[p.id] = {
      hand: p.hand.map((id) => (visible.has(id) ? cardValue(id) : undefined)),
      drawn: drawn !== null && visible.has(drawn) ? cardValue(drawn) : undefined,
      hasDrawn: drawn !== null,
    };
  }
  return { discardTop: top === null ? -1 : cardValue(top), players };
}

/** The same projection read from a client's decoded state, for the players of `ids`. */
export function clientProjection(state: any, ids: readonly string[]): Projection {
  const players: Projection['players'] = {};
  for (const id of ids) {
    const player = state.players.get(id);
    if (!player) continue;
    const hand: Array<number | undefined> = [];
    player.hand.forEach((card: any) => hand.push(card.value ?? undefined));
    players[id] = { hand, drawn: player.drawn?.value ?? undefined, hasDrawn: Boolean(player.drawn?.id) };
  }
  return { discardTop: state.discardTop, players };
}

/** Every card value a client has decoded anywhere in its state (hands and drawn slots). */
export function decodedValues(state: any): number[] {
  const values: number[] = [];
  state.players.forEach((player: any) => {
    player.hand?.forEach((card: any) => card.value !== undefined && values.push(card.value));
    if (player.drawn?.value !== undefined) values.push(player.drawn.value);
  });
  return values;
}

/**
 * Records every rules state the server room goes through (each is mirrored into Schema once: the
 * audit listens at the room's `mirror`) and checks each patch a watched client decodes: its card values must be
 * exactly the projection, for its viewer, of one of those states, at or after the one its
 * previous patch matched. So a client never holds a value its player did not know at that time,
 * and does hold every value it knows.
 */
export class KnowledgeAudit {
  readonly history: Match[] = [];
  readonly failures: string[] = [];
  checks = 0;
  private readonly positions = new Map<ClientRoom, number>();

  constructor(readonly server: CaboRoom) {
    const current: Match | undefined = server.matchState;
    if (current) this.history.push(current);
    const room = server as unknown as { mirror(state: Match, events: unknown[]): void };
    const mirror = room.mirror.bind(server);
    room.mirror = (state, events) => {
      if (this.history.at(-1) !== state) this.history.push(state);
      mirror(state, events);
    };
  }

  watch(room: ClientRoom, viewer: PlayerId | null, label = viewer ?? 'spectator'): void {
    this.positions.set(room, 0);
    const check = () => this.check(room, viewer, label);
    room.onStateChange(check);
    check();
  }

  private check(room: ClientRoom, viewer: PlayerId | null, label: string): void {
    this.checks++;
    const state: any = room.state;
    if (!state?.players) return;
    if (this.history.length === 0) {
      if (decodedValues(state).length > 0) this.failures.push(`${label}: values before any match: ${decodedValues(state)}`);
      return;
    }
    const ids = this.history[this.history.length - 1].players.map((p) => p.id);
    const seen = JSON.stringify(clientProjection(state, ids));
    const from = this.positions.get(room) ?? 0;
    for (let k = from; k < this.history.length; k++) {
      const m = this.history[k];
      const idsK = m.players.map((p) => p.id);
      if (idsK.join() !== ids.join()) continue;
      if (JSON.stringify(expectedProjection(m, viewer)) === seen) {
        this.positions.set(room, k);
        return;
      }
    }
    const latest = this.history[this.history.length - 1];
    this.failures.push(
      `${label}: decoded ${seen}\n  matches no server state since #${from}; latest allows ${JSON.stringify(expectedProjection(latest, viewer))}`,
    );
  }

  assertClean(): void {
    assert.deepEqual(this.failures.slice(0, 3), [], `${this.failures.length} patches showed unexpected values`);
    assert.ok(this.checks > 0);
  }
}

// ---- deterministic bot -----------------------------------------------------------------------

/** The bot's next move, or null when only the room (a timer) can move the match on. */
export function botStep(m: Match, rng: TestRandom, drawsThisRound: number, cabofAfter: number): LogEntry | null {
  if (m.phase === 'setup') {
    const waiting = m.players.find((p) => !p.forfeited && !p.ready);
    return waiting ? { playerId: waiting.id, action: { type: 'ready' } } : null;
  }
  if (m.phase !== 'turn' || !m.turn) return null;
  const options = legalActions(m, m.turn).filter((a) => a.type !== 'resign');
  const cabo = options.find((a) => a.type === 'cabo');
  if (cabo && drawsThisRound >= cabofAfter) return { playerId: m.turn, action: cabo };
  const moves = options.filter((a) => a.type !== 'cabo');
  // Prefer using a power when one is offered, so the knowledge paths (peek/spy/blind_swap) run.
  const powers = moves.filter((a) => a.type === 'peek' || a.type === 'spy' || a.type === 'blind_swap');
  if (powers.length > 0 && rng.next() < 0.85) return { playerId: m.turn, action: powers[rng.int(powers.length)] };
  // After a deck draw, discard half of the time so powers come up.
  if (moves.some((a) => a.type === 'discard') && rng.next() < 0.5) return { playerId: m.turn, action: { type: 'discard' } };
  return { playerId: m.turn, action: moves[rng.int(moves.length)] };
}

export interface Simulation {
  rounds: number;
  actions: number;
  powers: Set<string>;
  final: Match;
}

/**
 * Plays the bot against the bare engine (the room's timers become the system actions it would
 * send), so a test can pick a seed whose match has the shape it wants.
 */
export function simulate(seed: number, players: string[], targetScore: number, botSeed: number, cabofAfter: number): Simulation {
  let m = createMatch({ seed: testSeed(seed), players, targetScore });
  const rng = new TestRandom(botSeed);
  const powers = new Set<string>();
  let actions = 0;
  let draws = 0;
  let round = m.round;
  while (m.phase !== 'matchOver' && actions < 2000) {
    if (m.round !== round) {
      round = m.round;
      draws = 0;
    }
    const step = botStep(m, rng, draws, cabofAfter) ?? { playerId: null, action: { type: 'next_round' } as CaboAction };
    const result = apply(m, step.playerId, step.action);
    if (!result.ok) throw new Error(`simulation: ${result.code} ${result.message}`);
    if (step.action.type === 'draw') draws++;
    if (['peek', 'spy', 'blind_swap'].includes(step.action.type)) powers.add(step.action.type);
    m = result.state;
    actions++;
  }
  return { rounds: m.rounds.length, actions, powers, final: m };
}

/** Plays the match out with the deterministic bot; timers (setup, round pause) move it on too. */
export async function playOut(table: CaboTable, botSeed = 1): Promise<void> {
  const rng = new TestRandom(botSeed);
  let draws = 0;
  let round = 0;
  while (match(table).phase !== 'matchOver') {
    const m = match(table);
    if (m.round !== round) [round, draws] = [m.round, 0];
    const step = botStep(m, rng, draws, 4);
    if (!step) {
      const seq = table.server.state.lastAction.seq;
      await table.players[0].probe.stateWhere((s) => s.lastAction.seq > seq, 'a timer moves the match on', 8000);
      continue;
    }
    if (step.action.type === 'draw') draws++;
    await play(table, step.playerId as string, step.action as CaboAction);
  }
}

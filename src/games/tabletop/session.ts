/**
 * The rules of a tabletop session (SPEC §6), pure: who sits at the table and who is GM, what
 * each message writes to the log and who may see it, characters, turn order and combat. The
 * engine host runs it like any game; a session starts with its room and ends when it closes.
 *
 * Rules (decisions where the SPEC is silent):
 * - A whisper goes to another seated player; its audience is sender, target and every GM.
 * - `narrate`, `set_turn_order` and `combat` are the GM's; naming another player's character too.
 * - A player who leaves for good leaves the turn order; their character name is remembered.
 * - Every entry carries the time of its action (`at`, journaled with it), so a replay of the
 *   journal rebuilds the very same log.
 */
import type { GameEngine, PlayerId, RuleCode } from '../engine';
import { createRandom, type RandomState } from '../random';
import { roll, type RollResult } from './dice';
import * as turns from './turns';
import { canSee, privateAudience, PUBLIC, type Audience } from './visibility';

/** Entries kept in the live log (private ones included). */
export const MAX_LOG_ENTRIES = 200;
/** Token role that makes a user GM in every session they join. */
export const GM_ROLE = 'gm';

export type LogKind = 'join' | 'leave' | 'chat' | 'whisper' | 'roll' | 'narrate' | 'action' | 'character' | 'turn_order' | 'turn' | 'combat';

/** One log entry (plain JSON); the archive keeps every one of a session. */
export interface SessionLogEntry {
  seq: number;
  kind: LogKind;
  from: string;
  name: string;
  to: string;
  text: string;
  details: string;
  roll?: RollResult;
  at: number;
  private: boolean;
  audience: Audience;
}

export interface SessionPlayer {
  name: string;
  isGM: boolean;
  character: string;
}

export interface SessionParticipant extends SessionPlayer {
  id: string;
  /** Epoch ms of their first seat in this session. */
  joinedAt: number;
}

export interface SessionState {
  /** Dice come from the session's stream, so a replay rolls the same. */
  random: RandomState;
  seq: number;
  /** Seated players now. */
  players: Record<PlayerId, SessionPlayer>;
  /** Character names, remembered for players who left. */
  characters: Record<PlayerId, string>;
  /** Everyone who ever took a seat (archived). */
  participants: SessionParticipant[];
  turns: turns.TurnState;
  /** The live window of the log: seq and audience of its last MAX_LOG_ENTRIES entries. */
  live: Array<{ seq: number; audience: Audience }>;
}

/** What players send. */
export type PlayerSessionAction =
  | { type: 'chat'; text: string }
  | { type: 'whisper'; to: string; text: string }
  | { type: 'roll'; formula: string; label?: string; secret?: boolean }
  | { type: 'narrate'; text: string }
  | { type: 'action'; kind: string; details?: string }
  | { type: 'set_character'; name: string; userId?: string }
  | { type: 'set_turn_order'; order: string[] }
  | { type: 'next_turn' }
  | { type: 'combat'; active: boolean; round?: number };
/** What the room sends as seats change. */
export type SystemSessionAction = { type: 'join'; userId: string; name: string; gm: boolean } | { type: 'leave'; userId: string; reason: string };
export type SessionAction = PlayerSessionAction | SystemSessionAction;

export type SessionEvent =
  | { type: 'entry'; entry: SessionLogEntry }
  | { type: 'player'; userId: string; player: SessionPlayer | null }
  | { type: 'turns'; turns: turns.TurnState };

type Result = ReturnType<GameEngine<SessionState, SessionAction, SessionEvent>['apply']>;

class Refusal extends Error {
  constructor(readonly code: RuleCode, message: string) {
    super(message);
  }
}

/**
 * Players and characters are keyed by user id, which a token may set to anything: read and write
 * own entries only, so `constructor` or `__proto__` never match what every object inherits.
 */
function own<T>(record: Record<string, T>, key: string): T | undefined {
  return Object.hasOwn(record, key) ? record[key] : undefined;
}

function put<T>(record: Record<string, T>, key: string, value: T): void {
  Object.defineProperty(record, key, { value, enumerable: true, writable: true, configurable: true });
}

function refuse(code: RuleCode, message: string): never {
  throw new Refusal(code, message);
}

/** The state after `action` is applied to a copy, with what happened. */
function step(state: SessionState, actor: PlayerId | null, action: SessionAction, at: number): { state: SessionState; events: SessionEvent[] } {
  const next: SessionState = { ...state, players: { ...state.players }, characters: { ...state.characters }, participants: state.participants.slice(), live: state.live.slice() };
  const events: SessionEvent[] = [];
  const write = (entry: Omit<SessionLogEntry, 'seq' | 'at' | 'name' | 'to' | 'text' | 'details' | 'private'> & Partial<SessionLogEntry>) => {
    next.seq += 1;
    const full: SessionLogEntry = { seq: next.seq, name: own(next.players, entry.from)?.name ?? '', to: '', text: '', details: '', ...entry, at, private: entry.audience.private };
    next.live.push({ seq: full.seq, audience: full.audience });
    if (next.live.length > MAX_LOG_ENTRIES) next.live.splice(0, next.live.length - MAX_LOG_ENTRIES);
    events.push({ type: 'entry', entry: full });
  };
  const setTurns = (result: { state: turns.TurnState; events: turns.TurnEvent[] }) => {
    next.turns = result.state;
    for (const event of result.events) write(turnEntry(event, actor ?? ''));
    events.push({ type: 'turns', turns: result.state });
  };
  if (actor === null) applySystem(next, action as SystemSessionAction, at, write, setTurns, events);
  else applyPlayer(next, actor, action as PlayerSessionAction, write, setTurns, events);
  return { state: next, events };
}

function applySystem(s: SessionState, action: SystemSessionAction, at: number, write: (entry: any) => void, setTurns: (r: any) => void, events: SessionEvent[]): void {
  if (action.type === 'join') {
    const player: SessionPlayer = { name: action.name, isGM: action.gm, character: own(s.characters, action.userId) ?? '' };
    put(s.players, action.userId, player);
    const known = s.participants.findIndex((p) => p.id === action.userId);
    const participant = { id: action.userId, ...player, isGM: player.isGM || (s.participants[known]?.isGM ?? false), joinedAt: s.participants[known]?.joinedAt ?? at };
    if (known === -1) s.participants.push(participant);
    else s.participants[known] = participant;
    events.push({ type: 'player', userId: action.userId, player });
    return write({ kind: 'join', from: action.userId, audience: PUBLIC });
  }
  if (action.type === 'leave') {
    if (!own(s.players, action.userId)) refuse('INVALID_ACTION', 'no such seated player');
    write({ kind: 'leave', from: action.userId, text: action.reason, audience: PUBLIC });
    delete s.players[action.userId];
    events.push({ type: 'player', userId: action.userId, player: null });
    return setTurns(turns.removeFromOrder(s.turns, action.userId));
  }
  refuse('INVALID_ACTION', `"${(action as { type: string }).type}" is not a room action`);
}

function applyPlayer(s: SessionState, actor: PlayerId, action: PlayerSessionAction, write: (entry: any) => void, setTurns: (r: any) => void, events: SessionEvent[]): void {
  const me = own(s.players, actor) ?? refuse('NOT_A_PLAYER', 'only seated players can do that');
  const gmOnly = (message: string) => me.isGM || refuse('GM_ONLY', message);
  const turnResult = (result: turns.TurnResult) => (result.ok ? setTurns(result) : refuse(result.code, result.message));
  switch (action.type) {
    case 'chat':
      return write({ kind: 'chat', from: actor, text: action.text, audience: PUBLIC });
    case 'whisper':
      if (action.to === actor) refuse('INVALID_ACTION', 'you cannot whisper to yourself');
      if (!own(s.players, action.to)) refuse('INVALID_ACTION', 'you can only whisper to a seated player');
      return write({ kind: 'whisper', from: actor, to: action.to, text: action.text, audience: privateAudience(actor, action.to) });
    case 'roll': {
      const random = createRandom(s.random);
      const outcome = roll(action.formula, random.int);
      if (!outcome.ok) refuse('INVALID_FORMULA', outcome.message);
      s.random = random.state();
      return write({ kind: 'roll', from: actor, text: action.label ?? '', roll: outcome.result, audience: action.secret ? privateAudience(actor) : PUBLIC });
    }
    case 'narrate':
      gmOnly('only the GM can narrate');
      return write({ kind: 'narrate', from: actor, text: action.text, audience: PUBLIC });
    case 'action':
      return write({ kind: 'action', from: actor, text: action.kind, details: action.details ?? '', audience: PUBLIC });
    case 'set_character': {
      const target = action.userId ?? actor;
      if (target !== actor) gmOnly("only the GM can name another player's character");
      const player = own(s.players, target) ?? refuse('INVALID_ACTION', 'no such seated player');
      write({ kind: 'character', from: actor, to: target, text: action.name, audience: PUBLIC });
      put(s.players, target, { ...player, character: action.name });
      put(s.characters, target, action.name);
      s.participants = s.participants.map((p) => (p.id === target ? { ...p, character: action.name } : p));
      return void events.push({ type: 'player', userId: target, player: s.players[target] });
    }
    case 'set_turn_order':
      return turnResult(turns.setTurnOrder(s.turns, { userId: actor, isGM: me.isGM }, action.order, Object.keys(s.players)));
    case 'next_turn':
      return turnResult(turns.nextTurn(s.turns, { userId: actor, isGM: me.isGM }));
    case 'combat':
      return turnResult(turns.setCombat(s.turns, { userId: actor, isGM: me.isGM }, action.active, action.round));
    default:
      refuse('INVALID_ACTION', `unknown action "${(action as { type: string }).type}"`);
  }
}

function turnEntry(event: turns.TurnEvent, from: string): Omit<SessionLogEntry, 'seq' | 'at' | 'private' | 'name'> & { name?: string } {
  if (event.type === 'order') return { kind: 'turn_order', from, to: '', text: '', details: JSON.stringify(event.order), audience: PUBLIC };
  if (event.type === 'turn') return { kind: 'turn', from, to: event.userId, text: '', details: JSON.stringify({ index: event.index, round: event.round }), audience: PUBLIC };
  return { kind: 'combat', from, to: '', text: event.change, details: JSON.stringify({ active: event.change !== 'end', round: event.round }), audience: PUBLIC };
}

export const tabletopEngine: GameEngine<SessionState, SessionAction, SessionEvent, Record<string, never>> = {
  // Dice draw from the session's stream (exact replay); sessions publish no commitment.
  random: false,
  setup: (random) => ({
    state: { random: random.state(), seq: 0, players: {}, characters: {}, participants: [], turns: turns.initialTurnState, live: [] },
    events: [],
  }),
  apply(state, actor, action, at): Result {
    try {
      return { ok: true, ...step(state, actor, action, at) };
    } catch (error) {
      if (error instanceof Refusal) return { ok: false, code: error.code, message: error.message };
      throw error;
    }
  },
  turn: (state) => {
    const playerId = turns.currentTurn(state.turns);
    return playerId ? { playerId, key: `${state.turns.index}:${state.turns.round}`, timed: false } : null;
  },
  // GM: the creator, and every user whose token carries the `gm` role.
  seatTaken: (_state, seat) => ({ type: 'join', userId: seat.id, name: seat.name, gm: seat.creator || seat.roles.includes(GM_ROLE) }),
  seatReleased: (state, playerId, reason) => (own(state.players, playerId) ? { type: 'leave', userId: playerId, reason } : undefined),
  isOver: () => false,
  visible(state, viewer) {
    const who = { userId: viewer.userId, role: viewer.seated ? ('player' as const) : ('spectator' as const), isGM: viewer.seated && own(state.players, viewer.userId)?.isGM === true };
    return state.live.filter((item) => canSee(item.audience, who)).map((item) => String(item.seq));
  },
};

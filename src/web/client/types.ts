/**
 * The shapes the client reads from room state (decoded by colyseus.js from the server's Schema,
 * see README "State a client uses"). Collections are Schema maps/arrays; `list()`/`entries()`
 * turn them into plain arrays.
 */

export interface SchemaMap<V> {
  get(key: string): V | undefined;
  has(key: string): boolean;
  forEach(callback: (value: V, key: string) => void): void;
  readonly size: number;
}

export interface SchemaArray<V> {
  readonly length: number;
  forEach(callback: (value: V, index: number) => void): void;
  at?(index: number): V | undefined;
}

export function list<V>(items: SchemaArray<V> | undefined | null): V[] {
  const out: V[] = [];
  items?.forEach((value) => out.push(value));
  return out;
}

export function entries<V>(map: SchemaMap<V> | undefined | null): Array<[string, V]> {
  const out: Array<[string, V]> = [];
  map?.forEach((value, key) => out.push([key, value]));
  return out;
}

export interface RoomConfig {
  maxPlayers: number;
  minPlayers: number;
  allowSpectators: boolean;
  maxSpectators: number;
  turnSeconds: number;
  reconnectSeconds: number;
  idleSeconds: number;
  private: boolean;
  hasPassword: boolean;
  restricted: boolean;
  mode: string;
}

export interface Player {
  id: string;
  name: string;
  seat: number;
  connected: boolean;
  isHost: boolean;
}

export type Phase = 'waiting' | 'playing' | 'finished';

export interface GameStateBase<P extends Player = Player, C extends RoomConfig = RoomConfig> {
  code: string;
  game: string;
  phase: Phase;
  hostId: string;
  config: C;
  players: SchemaMap<P>;
  spectatorCount: number;
  startsAt: number;
  turn: string;
  turnDeadline: number;
}

// ---- cabo -------------------------------------------------------------------------------------

export interface Card {
  id: string;
  /** undefined unless this player knows the card. */
  value?: number;
}

export interface CaboPlayer extends Player {
  hand: SchemaArray<Card>;
  handCount: number;
  drawn: Card;
  score: number;
  total: number;
  forfeited: boolean;
  timeouts: number;
  ready: boolean;
}

export interface CaboConfig extends RoomConfig {
  setupSeconds: number;
  targetScore: number;
  roundPauseSeconds: number;
}

export interface CaboLastAction {
  seq: number;
  playerId: string;
  type: string;
  source: string;
  index: number;
  targetId: string;
  targetIndex: number;
  value: number;
}

export interface CaboState extends GameStateBase<CaboPlayer, CaboConfig> {
  round: number;
  roundPhase: '' | 'setup' | 'turn' | 'roundOver' | 'matchOver';
  turnPhase: '' | 'draw' | 'drawn' | 'power';
  pendingPower: '' | 'peek' | 'spy' | 'blind_swap';
  drawnFrom: '' | 'deck' | 'discard';
  deckCount: number;
  discardCount: number;
  discardTop: number;
  discardTopId: string;
  caboCaller: string;
  setupEndsAt: number;
  nextRoundAt: number;
  lastAction: CaboLastAction;
  ranking: SchemaArray<string>;
}

export interface RoundSummary {
  round: number;
  caller: string | null;
  hands: Record<string, number[]>;
  scores: Record<string, number>;
}

export interface RoundOverMessage extends RoundSummary {
  totals: Record<string, number>;
  nextRoundAt: number;
}

export interface GameOverMessage {
  ranking: string[];
  totals: Record<string, number>;
  rounds: RoundSummary[];
}

// ---- tabletop ---------------------------------------------------------------------------------

export interface TabletopPlayer extends Player {
  isGM: boolean;
  character: string;
}

export interface RollTerm {
  kind: 'dice' | 'constant';
  sign: number;
  count: number;
  sides: number;
  keep: '' | 'highest' | 'lowest';
  keepCount: number;
  dice: SchemaArray<number>;
  kept: SchemaArray<boolean>;
  value: number;
  subtotal: number;
}

export interface Roll {
  formula: string;
  terms: SchemaArray<RollTerm>;
  modifier: number;
  total: number;
}

export interface LogEntry {
  seq: number;
  kind: string;
  from: string;
  name: string;
  to: string;
  text: string;
  details: string;
  roll?: Roll;
  isPrivate: boolean;
  at: number;
}

export interface TabletopState extends GameStateBase<TabletopPlayer> {
  /** Absent until the first entry this client may see arrives. */
  log?: SchemaMap<LogEntry>;
  turnOrder: SchemaArray<string>;
  turnIndex: number;
  combat: boolean;
  combatRound: number;
  startedAt: number;
}

// ---- tic-tac-toe ------------------------------------------------------------------------------

export interface TicTacToeState extends GameStateBase {
  board: SchemaArray<string>;
  marks: SchemaArray<string>;
  result: string;
}

// ---- HTTP API ---------------------------------------------------------------------------------

export interface User {
  id: string;
  name: string;
  roles: string[];
}

/** `GET /api/rooms/:code`, `GET /api/me/rooms` and lobby metadata. */
export interface RoomSummary {
  code: string;
  game: string;
  players: number;
  maxPlayers: number;
  spectators: number;
  phase: Phase;
  hasPassword: boolean;
  hostName: string;
  mode: string;
  private?: boolean;
}

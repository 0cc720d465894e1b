/**
 * What a game supplies to Arena's engine host: pure rules, no Colyseus, no I/O. The host (see
 * `src/rooms/EngineRoom.ts`) does everything else: it validates a message against the game's
 * catalogue, calls `apply`, journals the action, mirrors the new state into Schema, fills every
 * client's StateView from `visible`, runs the turn and phase timers, archives the result, and
 * restores a room after a restart by replaying its journal from the seed.
 *
 * A match is a pure function of its seed, its seats and its action log: `setup` draws only from
 * the `random` it is given, `apply` only from state.
 */
import type { Random } from './random';

export type PlayerId = string;

/** Rule refusals an engine may return (the protocol's codes for them). */
export type RuleCode = 'NOT_A_PLAYER' | 'NOT_YOUR_TURN' | 'INVALID_ACTION' | 'GAME_OVER' | 'GM_ONLY' | 'INVALID_FORMULA';

export type Applied<S, E> =
  | { ok: true; state: S; events: E[] }
  | { ok: false; code: RuleCode; message: string };

/** A seated player as the rules know them. */
export interface SeatInfo {
  id: PlayerId;
  name: string;
  /** Token roles (e.g. `gm`). */
  roles: readonly string[];
  /** Whether this user created the room. */
  creator: boolean;
}

/** Who looks at the state: a user, seated (a player) or not (a spectator). */
export interface Viewer {
  userId: PlayerId;
  seated: boolean;
}

/** Why a player is gone for good. */
export type LeaveReason = 'left' | 'disconnected' | 'kicked';

/** A phase deadline: `action` (a system action) is due `seconds` after the phase began. */
export interface PhaseTimer<A> {
  /** Identifies the phase instance; a timer keeps running while its key is still listed. */
  key: string;
  seconds: number;
  action: A;
}

/** The player whose turn it is. */
export interface Turn {
  playerId: PlayerId;
  /** Changes whenever a new turn begins (so the same player's next turn restarts the clock). */
  key: string;
  /** Whether the turn timer runs (a tabletop turn order only tracks whose turn it is). */
  timed: boolean;
}

export interface GameEngine<S, A, E = unknown, O = unknown> {
  /** Matches draw from the seeded stream: `seedCommitment` at start, the seed revealed at the end. */
  readonly random: boolean;
  /** A new match (or session) for these seats, in seat order. */
  setup(random: Random, seats: readonly SeatInfo[], options: O): { state: S; events: E[] };
  /**
   * One action of a seated player (`actor`) or of the room itself (`actor` null: timers, seats),
   * at epoch ms `at` (journaled with it, so a replay sees the same time).
   */
  apply(state: S, actor: PlayerId | null, action: A, at: number): Applied<S, E>;
  /** Whose turn it is, if the game has turns. */
  turn(state: S): Turn | null;
  /** Deadlines of the current phase besides the turn (a setup look, the pause between rounds). */
  timers?(state: S, options: O): Array<PhaseTimer<A>>;
  /** The system action that plays the turn of `playerId` when its time ran out. */
  timeout?(state: S, playerId: PlayerId): A | undefined;
  /** The system action that takes `playerId` out of the running match for good. */
  forfeit?(state: S, playerId: PlayerId, reason: LeaveReason): A | undefined;
  /** Sessions that seat players while they run: the system actions for a seat taken or freed. */
  seatTaken?(state: S, seat: SeatInfo): A | undefined;
  seatReleased?(state: S, playerId: PlayerId, reason: LeaveReason): A | undefined;
  /** Whether the match is over (the host then finishes it and archives it). */
  isOver(state: S): boolean;
  /**
   * Ids of the hidden items `viewer` may see right now (cards, private log entries). The host
   * puts exactly the Schema instances holding these into the viewer's StateView, so a client
   * decodes a hidden value only if it is listed here.
   */
  visible?(state: S, viewer: Viewer): Iterable<string>;
}

/** One entry of a match's journal and action log: who did what (`playerId` null: the room), and when. */
export interface LoggedAction<A> {
  playerId: PlayerId | null;
  action: A;
  /** Epoch ms; absent in logs older than the engine host (read as 0). */
  at?: number;
}

/** Replays a log from its seed: every accepted action again, in order; throws on a refused one. */
export function replayLog<S, A, E, O>(
  engine: GameEngine<S, A, E, O>,
  random: Random,
  seats: readonly SeatInfo[],
  options: O,
  log: ReadonlyArray<LoggedAction<A>>,
): S {
  let { state } = engine.setup(random, seats, options);
  log.forEach(({ playerId, action, at }, index) => {
    const result = engine.apply(state, playerId, action, at ?? 0);
    if (!result.ok) throw new Error(`log entry ${index} refused on replay: ${result.code}: ${result.message}`);
    state = result.state;
  });
  return state;
}

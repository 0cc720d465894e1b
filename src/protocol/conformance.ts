/**
 * Compile-time checks (no runtime code) that the server sends what src/protocol declares:
 *
 * - every Schema class of src/rooms/schema has exactly the fields, with the same types, of its
 *   interface in src/protocol (`PlayerState` ↔ `PlayerView`, `CaboState` ↔ `CaboStateView`, …);
 * - the `removed` / `closing` reasons and the `error` codes rooms send, and each game's
 *   `game_over` payload, match `ServerMessages` and the games' `…ServerMessages`;
 * - the identity routes' `User` is the token service's.
 *
 * A mismatch fails `npm run typecheck` (this file is part of the server's program, not of the
 * browser's: the Schema classes need Node types) with the offending fields named, e.g.
 * `Type '"seat" | "seatIndex"' does not satisfy the constraint 'never'`. The browser client reads
 * only the interfaces, so once an interface follows a rename, the client's uses fail its own
 * typecheck (tsconfig.web.json).
 *
 * Adding a game: declare its state interfaces in its catalogue file and add its classes below.
 */
import type { ArraySchema, MapSchema, Schema } from '@colyseus/schema';
import type { IRoomCache } from '@colyseus/core';
import type { GameStateWithConfig, PlayerState, RoomConfigState } from '../rooms/schema/GameState';
import type { CaboActionState, CaboConfigState, CaboPlayerState, CaboState, CardState } from '../rooms/schema/CaboState';
import type { LogEntryState, RollState, RollTermState, TabletopPlayerState, TabletopState } from '../rooms/schema/TabletopState';
import type { TicTacToeState } from '../rooms/schema/TicTacToeState';
import type { ConnectFourState } from '../rooms/schema/ConnectFourState';
import type { GameRoom } from '../rooms/GameRoom';
import type { CaboRoom } from '../rooms/CaboRoom';
import type { TicTacToeRoom } from '../rooms/TicTacToeRoom';
import type { ConnectFourRoom } from '../rooms/ConnectFourRoom';
import type { sendError } from '../rooms/dispatcher';
import type { TokenService, User as TokenUser } from '../auth/tokens';
import type { AuthedRequest } from '../http/auth';
import type { GameStateView, PlayerView, RoomConfigView, SchemaArray, SchemaMap } from './state';
import type { CaboActionView, CaboConfigView, CaboPlayerView, CaboServerMessages, CaboStateView, CardView } from './cabo';
import type { LogEntryView, RollTermView, RollView, TabletopPlayerView, TabletopStateView } from './tabletop';
import type { TicTacToeServerMessages, TicTacToeStateView } from './tictactoe';
import type { ConnectFourServerMessages, ConnectFourStateView } from './connectfour';
import type { ServerMessages } from './messages';
import type { LobbyRoomEntry } from './rooms';
import type { GuestReply, MeReply, User } from './http';

// ---- the machinery ----------------------------------------------------------------------------

/** Compiles only when `Problems` is `never`; otherwise the error names them. */
type NoProblems<Problems extends never> = Problems;

/** The synced fields of a Schema instance: not its methods, nothing of `Schema` itself. */
type FieldKeys<T> = { [K in keyof T]-?: K extends keyof Schema ? never : T[K] extends (...args: never[]) => unknown ? never : K }[keyof T];

/** A field of type `T` as a client decodes it (collections as the read-only views of state.ts). */
type Decoded<T> =
  T extends MapSchema<infer V> ? SchemaMap<Decoded<V>>
  : T extends ArraySchema<infer V> ? SchemaArray<Decoded<V>>
  : T extends Schema ? { [K in keyof T as K extends FieldKeys<T> ? K : never]: Decoded<T[K]> }
  : T;

/** `T` with every property required and nothing `undefined`, all the way down. */
type Strict<T> =
  T extends SchemaMap<infer V> ? SchemaMap<Strict<V>>
  : T extends SchemaArray<infer V> ? SchemaArray<Strict<V>>
  : T extends (...args: never[]) => unknown ? T
  : T extends object ? { [K in keyof T]-?: Strict<Exclude<T[K], undefined>> }
  : T;

/**
 * Whether a client may read a value of type `Sent` as `Declared`, and `Declared` describes
 * exactly `Sent`: same keys and types all the way down, except that `Declared` may make a field
 * optional (`@view()` fields, which a client decodes only when its StateView holds them).
 */
type Same<Sent, Declared> = [Sent] extends [Declared] ? Equivalent<Strict<Exclude<Sent, undefined>>, Strict<Exclude<Declared, undefined>>> : false;

type Equivalent<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;

/** The fields where Schema class `S` (with `Override`n field types) and interface `I` differ. */
type FieldProblems<S, I, Override = {}> = {
  [K in FieldKeys<S> | keyof I]: K extends FieldKeys<S> & keyof I
    ? Same<Decoded<K extends keyof Override ? Override[K] : S[K]>, I[K]> extends true ? never : K
    : K;
}[FieldKeys<S> | keyof I];

/** `Label` when `Sent` and `Declared` differ. */
type Problem<Sent, Declared, Label extends string> = Same<Sent, Declared> extends true ? never : Label;

// ---- state: every Schema class against its interface ------------------------------------------

type StateChecks = [
  NoProblems<Problem<MapSchema<PlayerState> extends SchemaMap<PlayerState> ? true : false, true, 'MapSchema has what SchemaMap promises'>>,
  NoProblems<Problem<ArraySchema<string> extends SchemaArray<string> ? true : false, true, 'ArraySchema has what SchemaArray promises'>>,

  NoProblems<FieldProblems<PlayerState, PlayerView>>,
  NoProblems<FieldProblems<RoomConfigState, RoomConfigView>>,
  NoProblems<FieldProblems<GameStateWithConfig, GameStateView>>,

  NoProblems<FieldProblems<CardState, CardView>>,
  NoProblems<FieldProblems<CaboPlayerState, CaboPlayerView>>,
  NoProblems<FieldProblems<CaboConfigState, CaboConfigView>>,
  NoProblems<FieldProblems<CaboActionState, CaboActionView>>,
  // GameState declares `players` as PlayerState; a Cabo room seats CaboPlayerStates.
  NoProblems<FieldProblems<CaboState, CaboStateView, { players: MapSchema<CaboPlayerState> }>>,

  NoProblems<FieldProblems<TabletopPlayerState, TabletopPlayerView>>,
  NoProblems<FieldProblems<RollTermState, RollTermView>>,
  NoProblems<FieldProblems<RollState, RollView>>,
  NoProblems<FieldProblems<LogEntryState, LogEntryView>>,
  NoProblems<FieldProblems<TabletopState, TabletopStateView, { players: MapSchema<TabletopPlayerState> }>>,

  NoProblems<FieldProblems<TicTacToeState, TicTacToeStateView>>,
  NoProblems<FieldProblems<ConnectFourState, ConnectFourStateView>>,
];

// ---- messages: what the rooms send against ServerMessages and the games' messages -------------

type AnyGameRoom = GameRoom<GameStateWithConfig>;

type MessageChecks = [
  NoProblems<Problem<Parameters<typeof sendError>[1], ServerMessages['error']['code'], 'error.code'>>,
  // GameRoom.removeSession (and the lobby's cut-off) send every reason but `slow_consumer`.
  NoProblems<Problem<{ reason: Exclude<Parameters<AnyGameRoom['removeSession']>[1], 'slow_consumer'> }, ServerMessages['removed'], 'removed'>>,
  // GameRoom.close broadcasts shutdown / moved; RoomListing's idle close broadcasts `idle`.
  NoProblems<Problem<{ reason: NonNullable<AnyGameRoom['closing']> | 'idle' }, ServerMessages['closing'], 'closing'>>,
  // EngineRoom broadcasts `game_over` as the room's `gameOver()`, plus `seed` for games with randomness.
  NoProblems<Problem<ReturnType<CaboRoom['gameOver']> & { seed: string }, CaboServerMessages['game_over'], 'cabo game_over'>>,
  NoProblems<Problem<ReturnType<TicTacToeRoom['gameOver']>, TicTacToeServerMessages['game_over'], 'tictactoe game_over'>>,
  NoProblems<Problem<ReturnType<ConnectFourRoom['gameOver']>, ConnectFourServerMessages['game_over'], 'connectfour game_over'>>,
  NoProblems<Problem<Pick<IRoomCache, 'roomId' | 'name'>, Omit<LobbyRoomEntry, 'metadata'>, 'lobby room entry'>>,
];

// ---- HTTP: identity ---------------------------------------------------------------------------

type HttpChecks = [
  NoProblems<Problem<TokenUser, User, 'User'>>,
  NoProblems<Problem<Awaited<ReturnType<TokenService['issueGuest']>>, GuestReply, 'POST /api/auth/guest'>>,
  NoProblems<Problem<{ user: AuthedRequest['user'] }, MeReply, 'GET /api/auth/me'>>,
];

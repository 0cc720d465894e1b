/**
 * Room state as a client decodes it (colyseus.js): one interface per Schema class, with the same
 * field names and types. The Schema classes of src/rooms/schema are the state the server sends;
 * src/protocol/conformance.ts checks field by field that each class and its interface here
 * agree, so renaming, adding or retyping a Schema field fails `npm run typecheck` until the
 * interface follows, and then every client use of the old field fails the browser typecheck.
 *
 * Type-only: the browser client imports these with `import type` (nothing of the server enters
 * its bundle, and its typecheck stays free of Node types). Collections are read-only views of
 * the decoded MapSchema / ArraySchema; `@view()` fields are optional, because a client decodes
 * them only when its StateView holds them.
 *
 * This file has the state every game room shares (SPEC §4 "Common state"); each game's own is
 * in its catalogue file (src/protocol/<game>.ts).
 */
import type { Phase } from './rooms';

/** A decoded `MapSchema<V>` as a client reads it. */
export interface SchemaMap<V> {
  get(key: string): V | undefined;
  has(key: string): boolean;
  forEach(callback: (value: V, key: string) => void): void;
  readonly size: number;
}

/** A decoded `ArraySchema<V>` as a client reads it. */
export interface SchemaArray<V> {
  readonly length: number;
  forEach(callback: (value: V, index: number) => void): void;
  at(index: number): V | undefined;
}

/** `PlayerState`: a seated player, keyed by user id in `players`. */
export interface PlayerView {
  readonly id: string;
  readonly name: string;
  readonly seat: number;
  readonly connected: boolean;
  readonly isHost: boolean;
}

/** `RoomConfigState`: the public configuration (never the password or the allow-lists). */
export interface RoomConfigView {
  readonly maxPlayers: number;
  readonly minPlayers: number;
  readonly allowSpectators: boolean;
  readonly maxSpectators: number;
  readonly turnSeconds: number;
  readonly reconnectSeconds: number;
  readonly idleSeconds: number;
  readonly private: boolean;
  readonly hasPassword: boolean;
  /** True when `allowedUsers` or `allowedRoles` restrict who may join. */
  readonly restricted: boolean;
  readonly mode: string;
}

/**
 * `GameState` with its game's `config`: what every game room's state has. `P` and `C` are the
 * game's player and config classes (a game's state class declares its `config`; its players are
 * the PlayerState subclass its room seats).
 */
export interface GameStateView<P extends PlayerView = PlayerView, C extends RoomConfigView = RoomConfigView> {
  readonly code: string;
  readonly game: string;
  readonly phase: Phase;
  readonly hostId: string;
  readonly config: C;
  readonly players: SchemaMap<P>;
  readonly spectatorCount: number;
  /** Epoch ms of the last client message (1 s resolution). */
  readonly lastActivity: number;
  /** Quick match: epoch ms when the match starts by itself; 0 when no countdown runs. */
  readonly startsAt: number;
  /** Whose turn it is (user id), '' outside turns. */
  readonly turn: string;
  /** Epoch ms when the current turn times out; 0 when no turn timer runs. */
  readonly turnDeadline: number;
  /** Hex SHA-256 of the current match's seed ('' before any match); `game_over.seed` reveals it. */
  readonly seedCommitment: string;
}

/**
 * Client-only glue over the server's declared types. State, messages and HTTP shapes come from
 * src/protocol (type-only imports: esbuild drops them, nothing of the server enters the bundle);
 * here only which of them go with each game's page, and plain arrays from decoded collections.
 */
import type { SchemaArray, SchemaMap, GameStateView } from '../../protocol/state';
import type { CommonClientMessages, ServerMessages } from '../../protocol/messages';
import type { CaboClientMessages, CaboServerMessages, CaboStateView } from '../../protocol/cabo';
import type { TabletopClientMessages, TabletopStateView } from '../../protocol/tabletop';
import type { TicTacToeClientMessages, TicTacToeServerMessages, TicTacToeStateView } from '../../protocol/tictactoe';
import type { ClientErrorCode } from './errors';

/** What a room page works with: the room's state and the game's own messages, by type. */
export interface GameTypes {
  state: GameStateView;
  /** Client → server messages of the game (besides `CommonClientMessages`). */
  sends: object;
  /** Server → client messages of the game (besides `ServerMessages`). */
  receives: object;
}

export interface CaboGame {
  state: CaboStateView;
  sends: CaboClientMessages;
  receives: CaboServerMessages;
}

export interface TabletopGame {
  state: TabletopStateView;
  sends: TabletopClientMessages;
  receives: {};
}

export interface TicTacToeGame {
  state: TicTacToeStateView;
  sends: TicTacToeClientMessages;
  receives: TicTacToeServerMessages;
}

/** A game without a page of its own: the common state and messages only. */
export interface AnyGame {
  state: GameStateView;
  sends: {};
  receives: {};
}

/** Every message type a page of game `G` may send. */
export type SendType<G extends GameTypes> = (keyof CommonClientMessages | keyof G['sends']) & string;

/** What message `K` carries from a page of game `G` (common messages first, so they resolve inside generic code too). */
export type Sent<G extends GameTypes, K> = K extends keyof CommonClientMessages ? CommonClientMessages[K] : K extends keyof G['sends'] ? G['sends'][K] : never;

/** The arguments after the type: the payload without `rid` (the session adds one), optional when it has no required field. */
export type PayloadArgs<G extends GameTypes, K> = {} extends Omit<Sent<G, K>, 'rid'> ? [payload?: Omit<Sent<G, K>, 'rid'>] : [payload: Omit<Sent<G, K>, 'rid'>];

/** Every message type a page of game `G` hears. */
export type ReceiveType<G extends GameTypes> = (keyof ServerMessages | keyof G['receives']) & string;

/**
 * What message `K` carries to a page of game `G`. `error` also carries the client's own codes
 * (NETWORK for a send while disconnected).
 */
export type Received<G extends GameTypes, K> = K extends 'error'
  ? Omit<ServerMessages['error'], 'code'> & { code: ServerMessages['error']['code'] | ClientErrorCode }
  : K extends keyof ServerMessages
    ? ServerMessages[K]
    : K extends keyof G['receives']
      ? G['receives'][K]
      : never;

/** The player type of a state. */
export type PlayerOf<S extends GameStateView> = S['players'] extends SchemaMap<infer P> ? P : never;

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

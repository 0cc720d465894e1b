import { strict as assert } from 'assert';
import { apply, cardValue, createMatch, DECK_SIZE } from '../../../src/games/cabo';
import type { ApplyResult, CaboAction, CaboErrorCode, CaboEvent, CaboState, PlayerId } from '../../../src/games/cabo';
import { testSeed } from '../../support/seeds';

/** The `copy`-th card id (0-based) of a value, e.g. `card(7, 1)` = the second 7. */
export function card(value: number, copy = 0): number {
  const ids = Array.from({ length: DECK_SIZE }, (_, id) => id).filter((id) => cardValue(id) === value);
  assert.ok(copy < ids.length, `there is no copy ${copy} of value ${value}`);
  return ids[copy];
}

export interface RigOptions {
  players?: PlayerId[];
  /** Hands by player id; unspecified players get unused cards. */
  hands?: Record<PlayerId, number[]>;
  /** Discard pile, bottom → top. Default: one unused card. */
  discard?: number[];
  /** Next cards drawn from the deck, first drawn first. */
  deckTop?: number[];
  /** Remove all other cards from the deck (deck = deckTop only, rest goes under the discard). */
  shortDeck?: boolean;
  targetScore?: number;
  seed?: number;
}

/**
 * A round-1 setup state with chosen card positions (still conserving all 52 cards), so rules can
 * be tested on known values. Knowledge is reset: the discard pile is known to all.
 */
export function rigged(opts: RigOptions = {}): CaboState {
  const players = opts.players ?? ['a', 'b'];
  const base = createMatch({ seed: testSeed(opts.seed ?? 1), players, targetScore: opts.targetScore });
  const s: CaboState = JSON.parse(JSON.stringify(base));
  const used = new Set<number>([...Object.values(opts.hands ?? {}).flat(), ...(opts.discard ?? []), ...(opts.deckTop ?? [])]);
  assert.equal(used.size, [...Object.values(opts.hands ?? {}).flat(), ...(opts.discard ?? []), ...(opts.deckTop ?? [])].length, 'rigged cards must be distinct');
  const pool = Array.from({ length: DECK_SIZE }, (_, id) => id).filter((id) => !used.has(id));
  for (const p of s.players) p.hand = opts.hands?.[p.id]?.slice() ?? pool.splice(0, 4);
  const discard = opts.discard?.slice() ?? pool.splice(0, 1);
  const top = (opts.deckTop ?? []).slice().reverse();
  if (opts.shortDeck) {
    s.discard = [...pool, ...discard];
    s.deck = top;
  } else {
    s.discard = discard;
    s.deck = [...pool, ...top];
  }
  s.knowledge = {};
  for (const id of s.discard) s.knowledge[String(id)] = players.slice();
  return s;
}

/** Asserts acceptance and returns the new state. */
export function ok(result: ApplyResult): CaboState {
  if (!result.ok) assert.fail(`expected ok, got ${result.code}: ${result.message}`);
  return result.state;
}

/** Asserts acceptance and returns the events. */
export function events(result: ApplyResult): CaboEvent[] {
  if (!result.ok) assert.fail(`expected ok, got ${result.code}: ${result.message}`);
  return result.events;
}

/** Asserts a rejection with `code` and a non-empty message; returns the message. */
export function rejected(result: ApplyResult, code: CaboErrorCode, messagePart?: RegExp): string {
  if (result.ok) assert.fail(`expected ${code}, got ok`);
  assert.equal(result.code, code, result.message);
  assert.ok(result.message.length > 0);
  if (messagePart) assert.match(result.message, messagePart);
  return result.message;
}

/** Applies a sequence of [actor, action] pairs, each of which must be accepted. */
export function play(state: CaboState, steps: Array<[PlayerId | null, CaboAction]>): CaboState {
  return steps.reduce((s, [actor, action], i) => {
    const result = apply(s, actor, action);
    if (!result.ok) assert.fail(`step ${i} (${actor} ${action.type}) rejected: ${result.code}: ${result.message}`);
    return result.state;
  }, state);
}

/** Rigged state already in phase `turn` (setup ended by the system). */
export function riggedTurn(opts: RigOptions = {}): CaboState {
  return ok(apply(rigged(opts), null, { type: 'end_setup' }));
}

export function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const key of Object.keys(value)) deepFreeze((value as Record<string, unknown>)[key]);
  }
  return value;
}

export function hand(s: CaboState, id: PlayerId): number[] {
  return s.players.find((p) => p.id === id)!.hand;
}

export function player(s: CaboState, id: PlayerId) {
  return s.players.find((p) => p.id === id)!;
}

export function knows(s: CaboState, id: PlayerId, cardId: number): boolean {
  return (s.knowledge[String(cardId)] ?? []).includes(id);
}

/** Draw from the deck and discard without power (needs a non-power card on top). */
export function passTurn(s: CaboState, id: PlayerId): CaboState {
  return play(s, [
    [id, { type: 'draw', source: 'deck' }],
    [id, { type: 'discard' }],
  ]);
}

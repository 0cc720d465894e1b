import type { CaboErrorCode, CaboEvent, CaboPlayer, CaboState, PlayerId, RoundResult } from './types';

/**
 * Working area of one `apply` call: a private deep copy of the input state that the handlers may
 * mutate freely, plus the events produced so far. The input state is never touched.
 */
export interface Draft {
  s: CaboState;
  events: CaboEvent[];
}

/** Thrown by handlers to reject an action; `apply` turns it into `{ ok: false }`. */
export class RuleViolation extends Error {
  constructor(
    readonly code: CaboErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export function fail(code: CaboErrorCode, message: string): never {
  throw new RuleViolation(code, message);
}

/** Deep copy, hand-written because it is on every action's path and faster than structuredClone. */
export function cloneState(s: CaboState): CaboState {
  return {
    ...s,
    random: { ...s.random },
    players: s.players.map((p) => ({ ...p, hand: p.hand.slice() })),
    deck: s.deck.slice(),
    discard: s.discard.slice(),
    drawn: s.drawn ? { ...s.drawn } : null,
    knowledge: cloneRecordOfArrays(s.knowledge),
    rounds: s.rounds.map(cloneRound),
    ranking: s.ranking ? s.ranking.slice() : null,
  };
}

function cloneRound(r: RoundResult): RoundResult {
  return { round: r.round, caller: r.caller, hands: cloneRecordOfArrays(r.hands), scores: { ...r.scores } };
}

function cloneRecordOfArrays<T>(record: Record<string, T[]>): Record<string, T[]> {
  const copy: Record<string, T[]> = {};
  for (const key of Object.keys(record)) copy[key] = record[key].slice();
  return copy;
}

/** The seat of a player id, or undefined (safe for any input). */
export function findPlayer(s: CaboState, id: unknown): CaboPlayer | undefined {
  return typeof id === 'string' ? s.players.find((p) => p.id === id) : undefined;
}

export function seatOf(s: CaboState, id: PlayerId): number {
  return s.players.findIndex((p) => p.id === id);
}

/** Ids of the players who have not forfeited, in seat order. */
export function activePlayers(s: CaboState): PlayerId[] {
  return s.players.filter((p) => !p.forfeited).map((p) => p.id);
}

/** True once the match is decided; every later action is rejected with GAME_OVER. */
export function isMatchOver(s: CaboState): boolean {
  return s.phase === 'matchOver';
}

export function totalsOf(s: CaboState): Record<PlayerId, number> {
  const totals: Record<PlayerId, number> = {};
  for (const p of s.players) totals[p.id] = p.total;
  return totals;
}

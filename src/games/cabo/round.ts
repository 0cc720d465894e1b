/** Match creation, dealing, round scoring and match end. */
import { isSeed } from '../random';
import { allCardIds, cardValue, HAND_SIZE, shuffleCards } from './deck';
import { makeKnownToAll } from './knowledge';
import { discardDrawn } from './piles';
import { activePlayers, Draft, findPlayer, seatOf, totalsOf } from './state';
import type { CaboPlayer, CaboState, MatchInit, PlayerId } from './types';

export const DEFAULT_TARGET_SCORE = 100;
export const MIN_PLAYERS = 2;
export const MAX_PLAYERS = 6;

/**
 * A new match in phase `setup` of round 1 (seat 0 starts). Throws on invalid options: creating a
 * match is not a player action, so bad input here is a programming error of the caller.
 */
export function createMatch(init: MatchInit): CaboState {
  const players = validatePlayers(init.players);
  const targetScore = init.targetScore ?? DEFAULT_TARGET_SCORE;
  if (typeof targetScore !== 'number' || !Number.isFinite(targetScore) || targetScore <= 0) {
    throw new RangeError('targetScore must be a positive finite number');
  }
  if (!isSeed(init.seed)) throw new TypeError('seed must be 64 lowercase hex characters (newSeed())');
  const draft: Draft = {
    s: {
      targetScore,
      random: { seed: init.seed, offset: 0 },
      round: 0,
      phase: 'setup',
      players: players.map(newPlayer),
      deck: [],
      discard: [],
      turn: null,
      turnNumber: 0,
      turnPhase: null,
      drawn: null,
      pendingPower: null,
      caboCaller: null,
      roundStarter: players[0],
      knowledge: {},
      rounds: [],
      ranking: null,
    },
    events: [],
  };
  dealRound(draft, players[0]);
  return draft.s;
}

function validatePlayers(players: unknown): PlayerId[] {
  if (!Array.isArray(players) || players.length < MIN_PLAYERS || players.length > MAX_PLAYERS) {
    throw new RangeError(`a match needs ${MIN_PLAYERS}–${MAX_PLAYERS} players`);
  }
  if (!players.every((id) => typeof id === 'string' && id.length > 0)) throw new TypeError('player ids must be non-empty strings');
  if (new Set(players).size !== players.length) throw new RangeError('player ids must be distinct');
  return players.slice();
}

function newPlayer(id: PlayerId): CaboPlayer {
  return { id, hand: [], ready: false, forfeited: false, forfeitOrder: null, timeouts: 0, total: 0, score: null };
}

/**
 * Starts the next round: fresh shuffle of all 52 cards, 4 to every seat (forfeited seats too, so
 * every hand always holds 4 cards), one face-up onto the discard pile, knowledge cleared.
 */
export function dealRound(d: Draft, starter: PlayerId): void {
  const s = d.s;
  const shuffled = shuffleCards(allCardIds(), s.random);
  const deck = shuffled.cards;
  s.random = shuffled.random;
  for (const p of s.players) p.hand = [];
  for (let i = 0; i < HAND_SIZE; i++) for (const p of s.players) p.hand.push(deck.pop()!);
  s.discard = [deck.pop()!];
  s.deck = deck;
  s.knowledge = {};
  makeKnownToAll(s, s.discard[0]);
  for (const p of s.players) {
    p.ready = false;
    p.score = null;
  }
  s.round += 1;
  s.phase = 'setup';
  s.roundStarter = starter;
  s.caboCaller = null;
  clearTurn(s);
  d.events.push({ type: 'round_started', round: s.round, starter });
}

export function clearTurn(s: CaboState): void {
  s.turn = null;
  s.turnPhase = null;
  s.drawn = null;
  s.pendingPower = null;
}

/** Starter of the next round: the next active seat after this round's starter. */
export function nextRoundStarter(s: CaboState): PlayerId {
  const n = s.players.length;
  const from = seatOf(s, s.roundStarter);
  for (let k = 1; k <= n; k++) {
    const p = s.players[(from + k) % n];
    if (!p.forfeited) return p.id;
  }
  throw new Error('no active player'); // unreachable: the match ends below 2 active players
}

/** Reveals and scores the hands, archives the round, and ends the match past the target. */
export function endRound(d: Draft): void {
  const s = d.s;
  s.phase = 'roundOver';
  clearTurn(s);
  const hands: Record<PlayerId, number[]> = {};
  for (const p of s.players) hands[p.id] = p.hand.map(cardValue);
  const scores = roundScores(s, hands);
  for (const p of s.players) {
    p.score = p.forfeited ? null : scores[p.id];
    if (!p.forfeited) p.total += scores[p.id];
  }
  s.rounds.push({ round: s.round, caller: s.caboCaller, hands, scores });
  d.events.push({ type: 'round_over', round: s.round, caller: s.caboCaller, hands, scores: { ...scores }, totals: totalsOf(s) });
  if (s.players.some((p) => !p.forfeited && p.total > s.targetScore)) finishMatch(d);
}

/** Hand sums of active players; the caller gets 0 only when strictly lowest, else sum + 10. */
function roundScores(s: CaboState, hands: Record<PlayerId, number[]>): Record<PlayerId, number> {
  const sums: Record<PlayerId, number> = {};
  for (const id of activePlayers(s)) sums[id] = hands[id].reduce((a, b) => a + b, 0);
  const caller = s.caboCaller;
  if (caller === null || !(caller in sums)) return sums;
  const strictlyLowest = Object.keys(sums).every((id) => id === caller || sums[id] > sums[caller]);
  return { ...sums, [caller]: strictlyLowest ? 0 : sums[caller] + 10 };
}

/** Enters `matchOver` with the final ranking. Hands become public through the phase. */
export function finishMatch(d: Draft): void {
  const s = d.s;
  // e.g. the last opponent resigned while the turn player held a drawn card: keep all 52 in play
  if (s.drawn && s.turn) discardDrawn(d, s.turn, true);
  s.phase = 'matchOver';
  clearTurn(s);
  s.ranking = ranking(s);
  d.events.push({ type: 'match_over', ranking: s.ranking.slice(), totals: totalsOf(s) });
}

/** Active players by total (ties: seat order), then forfeited ones, the latest forfeit first. */
function ranking(s: CaboState): PlayerId[] {
  const active = s.players.filter((p) => !p.forfeited);
  const byTotal = active.map((p, i) => ({ p, i })).sort((a, b) => a.p.total - b.p.total || a.i - b.i);
  const forfeited = s.players.filter((p) => p.forfeited).sort((a, b) => b.forfeitOrder! - a.forfeitOrder!);
  return [...byTotal.map((x) => x.p.id), ...forfeited.map((p) => p.id)];
}

/** The round's starter, or the next active seat if the starter forfeited during setup. */
export function activeStarter(s: CaboState): PlayerId {
  const starter = findPlayer(s, s.roundStarter);
  return starter && !starter.forfeited ? starter.id : nextRoundStarter(s);
}

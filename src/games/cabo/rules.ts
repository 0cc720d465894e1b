/**
 * `apply`: the single entry point that advances a Cabo match. Pure: validates, then works on a
 * private deep copy, so the input is never mutated and a rejected action changes nothing.
 */
import { HAND_SIZE, powerOf } from './deck';
import { addKnower } from './knowledge';
import { dealRound, nextRoundStarter } from './round';
import { cloneState, Draft, fail, findPlayer, isMatchOver, RuleViolation } from './state';
import { discardDrawn, drawCard, putOnDiscard } from './piles';
import { endTurn, forfeitPlayer, maybeEndSetup } from './turns';
import type {
  ApplyResult,
  CaboAction,
  CaboActionType,
  CaboPlayer,
  CaboState,
  PlayerId,
  PowerKind,
  PublicAction,
  TurnPhase,
} from './types';

/** Untrusted action as received: any fields may be missing or of the wrong type. */
type RawAction = { type: string } & Record<string, unknown>;

const PLAYER_ACTIONS = ['ready', 'cabo', 'draw', 'swap', 'discard', 'peek', 'spy', 'blind_swap', 'skip_power', 'resign'];
const SYSTEM_ACTIONS = ['end_setup', 'next_round', 'timeout', 'forfeit'];

/**
 * Applies one action. `playerId` is the acting seated player, or `null` for system actions
 * (`end_setup`, `next_round`, `timeout`, `forfeit`). Never throws for bad input; never mutates
 * `state`. On success `state` is a fresh plain-JSON object and `events` (all public) say what
 * happened, starting with `{ type: 'action' }` carrying the `PublicAction`.
 */
export function apply(state: CaboState, playerId: PlayerId | null, action: CaboAction): ApplyResult {
  const draft: Draft = { s: cloneState(state), events: [] };
  try {
    const publicAction = dispatch(draft, playerId, action as unknown);
    draft.events.unshift({ type: 'action', action: publicAction });
    return { ok: true, state: draft.s, events: draft.events };
  } catch (error) {
    if (error instanceof RuleViolation) return { ok: false, code: error.code, message: error.message };
    throw error;
  }
}

function dispatch(d: Draft, actorId: PlayerId | null, input: unknown): PublicAction {
  if (d.s.phase === 'matchOver') fail('GAME_OVER', 'the match is over');
  const action = parseAction(input);
  if (SYSTEM_ACTIONS.includes(action.type)) {
    if (actorId !== null) fail('INVALID_ACTION', `"${action.type}" is a system action; players cannot send it`);
    return applySystem(d, action);
  }
  if (!PLAYER_ACTIONS.includes(action.type)) fail('INVALID_ACTION', `unknown action type "${action.type}"`);
  const player = findPlayer(d.s, actorId);
  if (!player) fail('NOT_A_PLAYER', actorId === null ? `"${action.type}" needs a player` : `${quoteInput(actorId)} is not a player of this match`);
  if (player.forfeited) fail('INVALID_ACTION', `${player.id} has forfeited and cannot act`);
  player.timeouts = 0; // any own action breaks a timeout streak
  return applyPlayerAction(d, player, action);
}

function parseAction(input: unknown): RawAction {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) fail('INVALID_ACTION', 'an action must be an object');
  const type = (input as Record<string, unknown>).type;
  if (typeof type !== 'string') fail('INVALID_ACTION', 'an action needs a string "type"');
  return input as RawAction;
}

function applyPlayerAction(d: Draft, p: CaboPlayer, a: RawAction): PublicAction {
  switch (a.type) {
    case 'ready':
      return ready(d, p);
    case 'cabo':
      return callCabo(d, p);
    case 'draw':
      return draw(d, p, a);
    case 'swap':
      return swap(d, p, a);
    case 'discard':
      return discard(d, p);
    case 'peek':
      return peek(d, p, a);
    case 'spy':
      return spy(d, p, a);
    case 'blind_swap':
      return blindSwap(d, p, a);
    case 'skip_power':
      return skipPower(d, p);
    default:
      return resign(d, p);
  }
}

function applySystem(d: Draft, a: RawAction): PublicAction {
  switch (a.type) {
    case 'end_setup':
      return endSetup(d);
    case 'next_round':
      return nextRound(d);
    case 'timeout':
      return timeout(d, a);
    default:
      return forfeit(d, a);
  }
}

/* ---------------- setup ---------------- */

function ready(d: Draft, p: CaboPlayer): PublicAction {
  if (d.s.phase !== 'setup') fail('INVALID_ACTION', `"ready" is only possible during setup, not in phase ${d.s.phase}`);
  if (p.ready) fail('INVALID_ACTION', `${p.id} is already ready`);
  p.ready = true;
  d.events.push({ type: 'ready', playerId: p.id });
  maybeEndSetup(d, 'all_ready');
  return publicAction(p.id, 'ready');
}

function endSetup(d: Draft): PublicAction {
  if (d.s.phase !== 'setup') fail('INVALID_ACTION', `"end_setup" is only possible during setup, not in phase ${d.s.phase}`);
  maybeEndSetup(d, 'end_setup');
  return publicAction(null, 'end_setup');
}

/* ---------------- turn ---------------- */

/** Rejects unless it is `p`'s turn in the given step. */
function requireTurn(d: Draft, p: CaboPlayer, action: CaboActionType, step: TurnPhase): void {
  const s = d.s;
  if (s.phase !== 'turn') fail('INVALID_ACTION', `"${action}" is not possible in phase ${s.phase}`);
  if (s.turn !== p.id) fail('NOT_YOUR_TURN', `it is ${s.turn}'s turn, not ${p.id}'s`);
  if (s.turnPhase !== step) fail('INVALID_ACTION', `"${action}" needs turn step "${step}", the turn is at "${s.turnPhase}"`);
}

function callCabo(d: Draft, p: CaboPlayer): PublicAction {
  requireTurn(d, p, 'cabo', 'draw');
  if (d.s.caboCaller !== null) fail('INVALID_ACTION', `cabo was already called by ${d.s.caboCaller} this round`);
  d.s.caboCaller = p.id;
  d.events.push({ type: 'cabo_called', playerId: p.id });
  endTurn(d);
  return publicAction(p.id, 'cabo');
}

function draw(d: Draft, p: CaboPlayer, a: RawAction): PublicAction {
  requireTurn(d, p, 'draw', 'draw');
  const source = a.source;
  if (source !== 'deck' && source !== 'discard') fail('INVALID_ACTION', 'draw source must be "deck" or "discard"');
  drawCard(d, p, source);
  d.s.turnPhase = 'drawn';
  return publicAction(p.id, 'draw', { source });
}

function swap(d: Draft, p: CaboPlayer, a: RawAction): PublicAction {
  requireTurn(d, p, 'swap', 'drawn');
  const index = requireIndex(a.index, 'index');
  const old = p.hand[index];
  p.hand[index] = d.s.drawn!.cardId;
  d.s.drawn = null;
  const value = putOnDiscard(d, old);
  d.events.push({ type: 'swapped', playerId: p.id, index, discardedValue: value });
  endTurn(d);
  return publicAction(p.id, 'swap', { index, value });
}

function discard(d: Draft, p: CaboPlayer): PublicAction {
  requireTurn(d, p, 'discard', 'drawn');
  if (d.s.drawn!.source === 'discard') fail('INVALID_ACTION', 'a card drawn from the discard pile must be swapped into the hand');
  const value = discardDrawn(d, p.id, false);
  const power = powerOf(value);
  if (power) {
    d.s.turnPhase = 'power';
    d.s.pendingPower = power;
    d.events.push({ type: 'power_available', playerId: p.id, power });
  } else {
    endTurn(d);
  }
  return publicAction(p.id, 'discard', { value });
}

/* ---------------- powers ---------------- */

function requirePower(d: Draft, p: CaboPlayer, action: CaboActionType, power: PowerKind): void {
  requireTurn(d, p, action, 'power');
  if (d.s.pendingPower !== power) fail('INVALID_ACTION', `"${action}" needs the ${power} power, the pending power is ${d.s.pendingPower}`);
}

function peek(d: Draft, p: CaboPlayer, a: RawAction): PublicAction {
  requirePower(d, p, 'peek', 'peek');
  const index = requireIndex(a.index, 'index');
  addKnower(d.s, p.hand[index], p.id);
  d.events.push({ type: 'peeked', playerId: p.id, index });
  endTurn(d);
  return publicAction(p.id, 'peek', { index });
}

function spy(d: Draft, p: CaboPlayer, a: RawAction): PublicAction {
  requirePower(d, p, 'spy', 'spy');
  const target = requireOpponent(d, p, a.userId);
  const targetIndex = requireIndex(a.index, 'index');
  addKnower(d.s, target.hand[targetIndex], p.id);
  d.events.push({ type: 'spied', playerId: p.id, targetId: target.id, targetIndex });
  endTurn(d);
  return publicAction(p.id, 'spy', { targetId: target.id, targetIndex });
}

/** Cards change places with their knowledge unchanged: nobody learns a value. */
function blindSwap(d: Draft, p: CaboPlayer, a: RawAction): PublicAction {
  requirePower(d, p, 'blind_swap', 'blind_swap');
  const index = requireIndex(a.index, 'index');
  const target = requireOpponent(d, p, a.userId);
  const targetIndex = requireIndex(a.targetIndex, 'targetIndex');
  [p.hand[index], target.hand[targetIndex]] = [target.hand[targetIndex], p.hand[index]];
  d.events.push({ type: 'blind_swapped', playerId: p.id, index, targetId: target.id, targetIndex });
  endTurn(d);
  return publicAction(p.id, 'blind_swap', { index, targetId: target.id, targetIndex });
}

function skipPower(d: Draft, p: CaboPlayer): PublicAction {
  requireTurn(d, p, 'skip_power', 'power');
  d.events.push({ type: 'power_skipped', playerId: p.id, auto: false });
  endTurn(d);
  return publicAction(p.id, 'skip_power');
}

function requireIndex(value: unknown, field: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value >= HAND_SIZE) {
    fail('INVALID_ACTION', `${field} must be an integer from 0 to ${HAND_SIZE - 1}`);
  }
  return value;
}

/** Decision: spy and blind_swap may only target another non-forfeited player. */
function requireOpponent(d: Draft, p: CaboPlayer, userId: unknown): CaboPlayer {
  const target = findPlayer(d.s, userId);
  if (!target) fail('INVALID_ACTION', 'userId must be the id of an opponent in this match');
  if (target.id === p.id) fail('INVALID_ACTION', 'userId must be an opponent, not yourself');
  if (target.forfeited) fail('INVALID_ACTION', `${target.id} has forfeited and cannot be targeted`);
  return target;
}

/* ---------------- leaving, timeouts, rounds ---------------- */

function resign(d: Draft, p: CaboPlayer): PublicAction {
  forfeitPlayer(d, p, 'resign');
  return publicAction(p.id, 'resign');
}

function forfeit(d: Draft, a: RawAction): PublicAction {
  const p = findPlayer(d.s, a.playerId);
  if (!p) fail('NOT_A_PLAYER', `forfeit: ${quoteInput(a.playerId)} is not a player of this match`);
  if (p.forfeited) fail('INVALID_ACTION', `${p.id} has already forfeited`);
  forfeitPlayer(d, p, 'disconnect');
  return publicAction(p.id, 'forfeit');
}

/**
 * Plays the turn for an absent player without ever using a power: draw+discard from the deck,
 * discard a drawn card (even one from the discard pile), or skip the power. The third consecutive
 * timeout then forfeits the player (after the auto-play, which ends their turn).
 */
function timeout(d: Draft, a: RawAction): PublicAction {
  const s = d.s;
  const p = findPlayer(s, a.playerId);
  if (!p) fail('NOT_A_PLAYER', `timeout: ${quoteInput(a.playerId)} is not a player of this match`);
  if (s.phase !== 'turn') fail('INVALID_ACTION', `"timeout" is not possible in phase ${s.phase}`);
  if (s.turn !== p.id) fail('NOT_YOUR_TURN', `timeout for ${p.id}, but it is ${s.turn}'s turn`);
  p.timeouts += 1;
  d.events.push({ type: 'timed_out', playerId: p.id, timeouts: p.timeouts });
  const value = autoPlay(d, p);
  if (p.timeouts >= 3 && !isMatchOver(s)) forfeitPlayer(d, p, 'timeouts');
  return publicAction(p.id, 'timeout', value === null ? {} : { value });
}

/** Returns the value of the card it discarded, if any. */
function autoPlay(d: Draft, p: CaboPlayer): number | null {
  let value: number | null = null;
  if (d.s.turnPhase === 'draw') drawCard(d, p, 'deck');
  if (d.s.turnPhase === 'power') d.events.push({ type: 'power_skipped', playerId: p.id, auto: true });
  else value = discardDrawn(d, p.id, true);
  endTurn(d);
  return value;
}

function nextRound(d: Draft): PublicAction {
  if (d.s.phase !== 'roundOver') fail('INVALID_ACTION', `"next_round" is only possible after a round, not in phase ${d.s.phase}`);
  dealRound(d, nextRoundStarter(d.s));
  return publicAction(null, 'next_round');
}

/** Safe to interpolate whatever a caller passed (objects without toString, symbols…). */
function quoteInput(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value) : `a ${typeof value}`;
}

function publicAction(playerId: PlayerId | null, type: CaboActionType, details: Partial<PublicAction> = {}): PublicAction {
  return { playerId, type, ...details };
}

/**
 * Turn order and combat tracking of a tabletop session (SPEC §6). Pure: no Colyseus, no I/O.
 *
 * Rules (decisions where the SPEC is silent):
 * - `setTurnOrder`: GM only. Every id must be a seated player, no duplicates; an empty order
 *   clears it. The turn goes to the first id (index 0).
 * - `nextTurn`: the GM or the current player. The index wraps; in combat, wrapping to the first
 *   player starts the next round.
 * - `setCombat`: GM only. `{active: true}` starts combat at round `round ?? 1` with the turn back
 *   at the first player; `{active: true, round}` during combat sets the round; `{active: false}`
 *   ends it (round 0). Starting an active combat without a round, ending an inactive one, or
 *   giving a round when ending are INVALID_ACTION.
 * - `removeFromOrder`: a player who leaves the table leaves the order. If it was their turn, the
 *   turn passes to whoever followed them (wrapping like `nextTurn`).
 * - The turn order is a tracker: it gates `next_turn` only, not other messages.
 */

export interface TurnState {
  /** User ids in turn order. */
  order: readonly string[];
  /** Index into `order` of the current player (0 when the order is empty). */
  index: number;
  combat: boolean;
  /** Combat round, ≥ 1 while in combat, 0 otherwise. */
  round: number;
}

export interface Actor {
  userId: string;
  isGM: boolean;
}

export type TurnEvent =
  | { type: 'order'; order: string[] }
  | { type: 'turn'; userId: string; index: number; round: number }
  | { type: 'combat'; change: 'start' | 'round' | 'end'; round: number };

export type TurnErrorCode = 'GM_ONLY' | 'NOT_YOUR_TURN' | 'INVALID_ACTION';

export type TurnResult =
  | { ok: true; state: TurnState; events: TurnEvent[] }
  | { ok: false; code: TurnErrorCode; message: string };

export const MAX_ROUND = 10_000;

export const initialTurnState: TurnState = Object.freeze({ order: Object.freeze([]) as readonly string[], index: 0, combat: false, round: 0 });

/** Whose turn it is, or '' when no order is set. */
export function currentTurn(state: TurnState): string {
  return state.order[state.index] ?? '';
}

function fail(code: TurnErrorCode, message: string): TurnResult {
  return { ok: false, code, message };
}

function turnEvent(state: TurnState): TurnEvent[] {
  const userId = currentTurn(state);
  return userId ? [{ type: 'turn', userId, index: state.index, round: state.round }] : [];
}

export function setTurnOrder(state: TurnState, actor: Actor, order: readonly string[], seated: readonly string[]): TurnResult {
  if (!actor.isGM) return fail('GM_ONLY', 'only the GM can set the turn order');
  const seen = new Set<string>();
  const seatedSet = new Set(seated);
  for (const userId of order) {
    if (!seatedSet.has(userId)) return fail('INVALID_ACTION', `${JSON.stringify(userId.slice(0, 64))} is not a seated player`);
    if (seen.has(userId)) return fail('INVALID_ACTION', `${JSON.stringify(userId.slice(0, 64))} appears twice in the turn order`);
    seen.add(userId);
  }
  const next: TurnState = { ...state, order: [...order], index: 0 };
  return { ok: true, state: next, events: [{ type: 'order', order: [...order] }, ...turnEvent(next)] };
}

export function nextTurn(state: TurnState, actor: Actor): TurnResult {
  if (state.order.length === 0) return fail('INVALID_ACTION', 'no turn order is set');
  if (!actor.isGM && actor.userId !== currentTurn(state)) return fail('NOT_YOUR_TURN', 'only the current player or the GM can end the turn');
  return { ok: true, ...advance(state, state.index + 1) };
}

export function setCombat(state: TurnState, actor: Actor, active: boolean, round?: number): TurnResult {
  if (!actor.isGM) return fail('GM_ONLY', 'only the GM can start or end combat');
  if (round !== undefined && (!Number.isInteger(round) || round < 1 || round > MAX_ROUND)) {
    return fail('INVALID_ACTION', `round must be an integer from 1 to ${MAX_ROUND}`);
  }
  if (!active) {
    if (!state.combat) return fail('INVALID_ACTION', 'combat is not active');
    if (round !== undefined) return fail('INVALID_ACTION', 'a round can only be given while combat is active');
    const next = { ...state, combat: false, round: 0 };
    return { ok: true, state: next, events: [{ type: 'combat', change: 'end', round: 0 }] };
  }
  if (state.combat) {
    if (round === undefined) return fail('INVALID_ACTION', 'combat is already active (give a round to change it)');
    const next = { ...state, round };
    return { ok: true, state: next, events: [{ type: 'combat', change: 'round', round }] };
  }
  const next = { ...state, combat: true, round: round ?? 1, index: 0 };
  return { ok: true, state: next, events: [{ type: 'combat', change: 'start', round: next.round }, ...turnEvent(next)] };
}

/** The player left the table: drop them from the order, passing the turn on if it was theirs. */
export function removeFromOrder(state: TurnState, userId: string): { state: TurnState; events: TurnEvent[] } {
  const at = state.order.indexOf(userId);
  if (at === -1) return { state, events: [] };
  const order = state.order.filter((id) => id !== userId);
  if (at > state.index) return { state: { ...state, order }, events: [] };
  if (at < state.index) return { state: { ...state, order, index: state.index - 1 }, events: [] };
  // It was their turn: whoever followed them now stands at the same index.
  if (order.length === 0) return { state: { ...state, order, index: 0 }, events: [] };
  return advance({ ...state, order }, state.index);
}

/** Moves the turn to `index`, wrapping to 0 (and, in combat, to the next round). */
function advance(state: TurnState, index: number): { state: TurnState; events: TurnEvent[] } {
  const wrapped = index >= state.order.length;
  const round = wrapped && state.combat ? Math.min(state.round + 1, MAX_ROUND) : state.round;
  const next: TurnState = { ...state, index: wrapped ? 0 : index, round };
  return { state: next, events: turnEvent(next) };
}

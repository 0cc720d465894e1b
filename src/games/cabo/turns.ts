/** Turn flow and card movements shared by player actions, timeouts and forfeits. */
import { discardDrawn } from './piles';
import { activeStarter, endRound, finishMatch } from './round';
import { activePlayers, Draft, seatOf } from './state';
import type { CaboPlayer, ForfeitReason, PlayerId } from './types';

export function startTurn(d: Draft, playerId: PlayerId): void {
  const s = d.s;
  s.turn = playerId;
  s.turnNumber += 1;
  s.turnPhase = 'draw';
  s.drawn = null;
  s.pendingPower = null;
  d.events.push({ type: 'turn_started', playerId });
}

/** Leaves `setup` once every active player is ready (or unconditionally for `end_setup`). */
export function maybeEndSetup(d: Draft, reason: 'all_ready' | 'end_setup'): void {
  const s = d.s;
  if (s.phase !== 'setup') return;
  if (reason === 'all_ready' && s.players.some((p) => !p.forfeited && !p.ready)) return;
  s.phase = 'turn';
  s.roundStarter = activeStarter(s);
  d.events.push({ type: 'setup_ended', reason });
  startTurn(d, s.roundStarter);
}

/** Ends the current turn and passes it on (or ends the round). */
export function endTurn(d: Draft): void {
  const from = d.s.turn!;
  d.s.turnPhase = null;
  d.s.drawn = null;
  d.s.pendingPower = null;
  advanceTurn(d, from);
}

/**
 * Walks the seats after `fromId`. Reaching the cabo caller's seat ends the round, even if the
 * caller has forfeited since (their seat still marks "the turn would return to them");
 * other forfeited seats are skipped.
 */
function advanceTurn(d: Draft, fromId: PlayerId): void {
  const s = d.s;
  const n = s.players.length;
  const from = seatOf(s, fromId);
  for (let k = 1; k <= n; k++) {
    const p = s.players[(from + k) % n];
    if (p.id === s.caboCaller) return endRound(d);
    if (!p.forfeited) return startTurn(d, p.id);
  }
  throw new Error('no active player'); // unreachable: the match ends below 2 active players
}

/**
 * Takes a player out of the match. Their hand stays in place; a pending drawn card goes to the
 * discard and the turn passes on. Below 2 active players the match ends at once.
 */
export function forfeitPlayer(d: Draft, player: CaboPlayer, reason: ForfeitReason): void {
  const s = d.s;
  const wasTheirTurn = s.phase === 'turn' && s.turn === player.id;
  player.forfeited = true;
  player.forfeitOrder = s.players.filter((p) => p.forfeited).length;
  d.events.push({ type: 'forfeited', playerId: player.id, reason });
  if (wasTheirTurn && s.drawn) discardDrawn(d, player.id, true);
  if (activePlayers(s).length < 2) return finishMatch(d);
  if (s.phase === 'setup') return maybeEndSetup(d, 'all_ready');
  if (wasTheirTurn) endTurn(d);
}

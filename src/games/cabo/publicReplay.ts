/**
 * A finished match as a step-by-step public record (for `GET /api/games/:id/replay`): after
 * every action, the state with a card's value shown only if at least one player could see it at
 * that step. Values hidden from everyone (the deck, unseen cards) never appear; at round and match
 * end the revealed hands do.
 */
import { createMatch } from './round';
import { apply } from './rules';
import { cardValue } from './deck';
import { discardTop, visibleCardIds } from './knowledge';
import type { CaboState, CardId, LogEntry, MatchInit, PublicAction } from './types';

export interface PublicPlayerStep {
  id: string;
  /** Values by hand position; null where nobody knew the card at this step. */
  hand: Array<number | null>;
  /** The drawn card's value (its drawer knows it), null when none is drawn. */
  drawn: number | null;
  score: number | null;
  total: number;
  forfeited: boolean;
}

export interface PublicStep {
  /** 0 is the deal; step i follows log entry i-1. */
  step: number;
  /** What happened (null for the deal); never carries a hidden value. */
  action: PublicAction | null;
  round: number;
  phase: CaboState['phase'];
  turn: string | null;
  turnPhase: CaboState['turnPhase'];
  caboCaller: string | null;
  deckCount: number;
  discardTop: number | null;
  players: PublicPlayerStep[];
}

/** Replays `log` from `init`; throws if an entry is rejected (an archived log never contains one). */
export function publicReplay(init: MatchInit, log: readonly LogEntry[]): PublicStep[] {
  let state = createMatch(init);
  const steps = [publicStep(state, 0, null)];
  log.forEach((entry, index) => {
    const result = apply(state, entry.playerId, entry.action);
    if (!result.ok) throw new Error(`log entry ${index} (${entry.action.type}) rejected: ${result.code}`);
    state = result.state;
    const first = result.events[0];
    steps.push(publicStep(state, index + 1, first?.type === 'action' ? first.action : null));
  });
  return steps;
}

function publicStep(state: CaboState, step: number, action: PublicAction | null): PublicStep {
  const known = new Set<CardId>(visibleCardIds(state, null));
  for (const player of state.players) visibleCardIds(state, player.id).forEach((id) => known.add(id));
  const show = (cardId: CardId) => (known.has(cardId) ? cardValue(cardId) : null);
  const top = discardTop(state);
  return {
    step,
    action,
    round: state.round,
    phase: state.phase,
    turn: state.turn,
    turnPhase: state.turnPhase,
    caboCaller: state.caboCaller,
    deckCount: state.deck.length,
    discardTop: top === null ? null : cardValue(top),
    players: state.players.map((player) => ({
      id: player.id,
      hand: player.hand.map(show),
      drawn: state.drawn && state.turn === player.id ? show(state.drawn.cardId) : null,
      score: player.score,
      total: player.total,
      forfeited: player.forfeited,
    })),
  };
}

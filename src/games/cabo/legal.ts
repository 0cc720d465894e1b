/** Enumeration of every concrete legal action, for bots and property tests. */
import { HAND_SIZE } from './deck';
import { findPlayer } from './state';
import type { CaboAction, CaboPlayer, CaboState, PlayerAction, PlayerId, SystemAction } from './types';

const INDICES = Array.from({ length: HAND_SIZE }, (_, i) => i);

/**
 * Every action `playerId` may legally send now, each with concrete indices/targets; `null` lists
 * the system actions. Includes `resign` whenever it is legal (bots usually filter it out).
 * Each listed action is accepted by `apply`, and no other action is.
 */
export function legalActions(s: CaboState, playerId: PlayerId | null): CaboAction[] {
  if (s.phase === 'matchOver') return [];
  if (playerId === null) return systemActions(s);
  const p = findPlayer(s, playerId);
  if (!p || p.forfeited) return [];
  const actions: PlayerAction[] = [];
  if (s.phase === 'setup' && !p.ready) actions.push({ type: 'ready' });
  if (s.phase === 'turn' && s.turn === p.id) actions.push(...turnActions(s, p));
  actions.push({ type: 'resign' });
  return actions;
}

function systemActions(s: CaboState): SystemAction[] {
  const actions: SystemAction[] = [];
  if (s.phase === 'setup') actions.push({ type: 'end_setup' });
  if (s.phase === 'roundOver') actions.push({ type: 'next_round' });
  if (s.phase === 'turn' && s.turn !== null) actions.push({ type: 'timeout', playerId: s.turn });
  for (const p of s.players) if (!p.forfeited) actions.push({ type: 'forfeit', playerId: p.id });
  return actions;
}

function turnActions(s: CaboState, p: CaboPlayer): PlayerAction[] {
  switch (s.turnPhase) {
    case 'draw':
      return drawStepActions(s);
    case 'drawn': {
      const swaps: PlayerAction[] = INDICES.map((index) => ({ type: 'swap', index }));
      return s.drawn?.source === 'deck' ? [...swaps, { type: 'discard' }] : swaps;
    }
    case 'power':
      return [...powerActions(s, p), { type: 'skip_power' }];
    default:
      return [];
  }
}

function drawStepActions(s: CaboState): PlayerAction[] {
  const actions: PlayerAction[] = [];
  if (s.caboCaller === null) actions.push({ type: 'cabo' });
  if (s.deck.length > 0) actions.push({ type: 'draw', source: 'deck' });
  if (s.discard.length > 0) actions.push({ type: 'draw', source: 'discard' });
  return actions;
}

function powerActions(s: CaboState, p: CaboPlayer): PlayerAction[] {
  const opponents = s.players.filter((o) => o.id !== p.id && !o.forfeited);
  switch (s.pendingPower) {
    case 'peek':
      return INDICES.map((index) => ({ type: 'peek', index }));
    case 'spy':
      return opponents.flatMap((o) => INDICES.map((index): PlayerAction => ({ type: 'spy', userId: o.id, index })));
    case 'blind_swap':
      return INDICES.flatMap((index) =>
        opponents.flatMap((o) =>
          INDICES.map((targetIndex): PlayerAction => ({ type: 'blind_swap', index, userId: o.id, targetIndex })),
        ),
      );
    default:
      return [];
  }
}

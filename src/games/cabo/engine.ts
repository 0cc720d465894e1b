/** Cabo as the engine host sees it (src/games/engine.ts): the rules of this folder, nothing more. */
import type { GameEngine } from '../engine';
import { createMatch } from './round';
import { apply } from './rules';
import { findPlayer, isMatchOver } from './state';
import { visibleCardIds } from './knowledge';
import type { CaboAction, CaboEvent, CaboState } from './types';

/** The match's options (the room's `targetScore`, `setupSeconds`, `roundPauseSeconds`). */
export interface CaboOptions {
  targetScore: number;
  setupSeconds: number;
  roundPauseSeconds: number;
}

export const caboEngine: GameEngine<CaboState, CaboAction, CaboEvent, CaboOptions> = {
  random: true,
  setup(random, seats, options) {
    const state = createMatch({ seed: random.state().seed, players: seats.map((seat) => seat.id), targetScore: options.targetScore });
    return { state, events: [{ type: 'round_started', round: state.round, starter: state.roundStarter }] };
  },
  apply: (state, actor, action) => apply(state, actor, action),
  turn: (s) => (s.phase === 'turn' && s.turn ? { playerId: s.turn, key: String(s.turnNumber), timed: true } : null),
  timers(s, options) {
    if (s.phase === 'setup') return [{ key: `setup:${s.round}`, seconds: options.setupSeconds, action: { type: 'end_setup' } }];
    if (s.phase === 'roundOver') return [{ key: `pause:${s.round}`, seconds: options.roundPauseSeconds, action: { type: 'next_round' } }];
    return [];
  },
  timeout: (s, playerId) => (s.turn === playerId ? { type: 'timeout', playerId } : undefined),
  forfeit(s, playerId) {
    const player = findPlayer(s, playerId);
    return player && !player.forfeited ? { type: 'forfeit', playerId } : undefined;
  },
  isOver: isMatchOver,
  visible: (s, viewer) => visibleCardIds(s, viewer.seated ? viewer.userId : null).map(String),
};

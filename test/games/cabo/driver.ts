/** Random legal match driver shared by the property and purity tests. */
import { TestRandom, testSeed } from '../../support/seeds';
import { activePlayers, legalActions } from '../../../src/games/cabo';
import type { CaboAction, CaboState, LogEntry, MatchInit, PlayerId } from '../../../src/games/cabo';

export function randomInit(rng: TestRandom, seed: number): MatchInit {
  const count = 2 + rng.int(5);
  const players = Array.from({ length: count }, (_, i) => `p${i}-${rng.int(1000)}`);
  return { seed: testSeed(seed), players, targetScore: [25, 50, 80][rng.int(3)] };
}

function pick<T>(rng: TestRandom, items: readonly T[]): T {
  return items[rng.int(items.length)];
}

/**
 * Picks the next logged step: mostly a legal move of whoever may act, plus occasional system
 * actions (end_setup, timeout, forfeit) and resigns. After `turnCap` turns in a round the turn
 * player calls cabo if they can, so every match terminates quickly. A `sleepy` player times out
 * half of their turns, so timeout streaks reach the forfeit.
 */
export function nextStep(s: CaboState, rng: TestRandom, turnsThisRound: number, turnCap: number, sleepy?: PlayerId): LogEntry {
  const r = rng.next();
  const active = activePlayers(s);
  if (r < 0.0015) return { playerId: pick(rng, active), action: { type: 'resign' } };
  if (r < 0.0025) return { playerId: null, action: { type: 'forfeit', playerId: pick(rng, active) } };
  if (s.phase === 'setup') {
    const waiting = s.players.filter((p) => !p.forfeited && !p.ready).map((p) => p.id);
    if (r < 0.15 || waiting.length === 0) return { playerId: null, action: { type: 'end_setup' } };
    return { playerId: pick(rng, waiting), action: { type: 'ready' } };
  }
  if (s.phase === 'roundOver') return { playerId: null, action: { type: 'next_round' } };
  const turn = s.turn as PlayerId;
  if (r < (turn === sleepy ? 0.5 : 0.05)) return { playerId: null, action: { type: 'timeout', playerId: turn } };
  const options = legalActions(s, turn).filter((a) => a.type !== 'resign');
  const cabo = options.find((a) => a.type === 'cabo');
  if (cabo && (turnsThisRound >= turnCap || rng.next() < 0.02)) return { playerId: turn, action: cabo };
  return { playerId: turn, action: pick(rng, options.filter((a) => a.type !== 'cabo')) };
}

/** A random action shape, legal or not, in the canonical form legalActions uses. */
export function fuzzStep(s: CaboState, rng: TestRandom): LogEntry {
  const ids = [...s.players.map((p) => p.id), 'ghost'];
  const index = pick(rng, [-1, 0, 1, 2, 3, 4, 1.5]);
  const userId = pick(rng, ids);
  const actions: CaboAction[] = [
    { type: 'ready' },
    { type: 'cabo' },
    { type: 'draw', source: pick(rng, ['deck', 'discard', 'hand'] as const) as 'deck' },
    { type: 'swap', index },
    { type: 'discard' },
    { type: 'peek', index },
    { type: 'spy', userId, index },
    { type: 'blind_swap', index, userId, targetIndex: pick(rng, [0, 1, 2, 3, 4]) },
    { type: 'skip_power' },
    { type: 'resign' },
    { type: 'end_setup' },
    { type: 'next_round' },
    { type: 'timeout', playerId: userId },
    { type: 'forfeit', playerId: userId },
  ];
  return { playerId: pick(rng, [...ids, null]), action: pick(rng, actions) };
}

/** Same action, same fields (legalActions lists each action in exactly this shape). */
export function isListedIn(action: CaboAction, list: readonly CaboAction[]): boolean {
  const key = JSON.stringify(action);
  return list.some((a) => JSON.stringify(a) === key);
}

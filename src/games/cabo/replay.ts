/** Deterministic replay: a match is a pure function of seed + seat order + action log. */
import { createMatch } from './round';
import { apply } from './rules';
import type { CaboState, LogEntry, MatchInit } from './types';

/**
 * Every state of the match: index 0 is `createMatch(init)`, index i the state after log entry
 * i-1. Throws if an entry is rejected, since a valid log never contains a rejected action.
 */
export function replay(init: MatchInit, log: readonly LogEntry[]): CaboState[] {
  const states = [createMatch(init)];
  log.forEach((entry, i) => {
    const result = apply(states[states.length - 1], entry.playerId, entry.action);
    if (!result.ok) throw new Error(`log entry ${i} (${entry.action.type}) rejected: ${result.code}: ${result.message}`);
    states.push(result.state);
  });
  return states;
}

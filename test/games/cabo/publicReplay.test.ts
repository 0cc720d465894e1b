import { strict as assert } from 'assert';
import { TestRandom, testSeed } from '../../support/seeds';
import { apply, createMatch, knowersOf, isPublicCard, publicReplay, replay, type LogEntry, type MatchInit } from '../../../src/games/cabo';
import { nextStep, randomInit } from './driver';

function randomMatch(seed: number): { init: MatchInit; log: LogEntry[] } {
  const rng = new TestRandom(seed);
  const init = randomInit(rng, seed);
  const log: LogEntry[] = [];
  let state = createMatch(init);
  let turns = 0;
  let round = state.round;
  while (state.phase !== 'matchOver' && log.length < 3000) {
    if (state.round !== round) [round, turns] = [state.round, 0];
    const entry = nextStep(state, rng, turns, 12);
    const result = apply(state, entry.playerId, entry.action);
    if (!result.ok) continue;
    if (entry.action.type === 'draw') turns++;
    log.push(entry);
    state = result.state;
  }
  return { init, log };
}

describe('cabo public replay', () => {
  it('shows at the deal only each player’s own first two cards', () => {
    const [deal] = publicReplay({ seed: testSeed(7), players: ['a', 'b', 'c'] }, []);
    assert.equal(deal.step, 0);
    assert.equal(deal.action, null);
    for (const player of deal.players) {
      assert.ok(player.hand[0] !== null && player.hand[1] !== null);
      assert.deepEqual(player.hand.slice(2), [null, null]);
    }
    assert.equal(deal.deckCount, 52 - 12 - 1);
    assert.equal(typeof deal.discardTop, 'number');
  });

  it('never shows a value nobody knew at that step, and reveals every hand at the end', () => {
    for (let seed = 1; seed <= 60; seed++) {
      const { init, log } = randomMatch(seed);
      const steps = publicReplay(init, log);
      const states = replay(init, log);
      assert.equal(steps.length, log.length + 1);
      steps.forEach((step, i) => {
        const state = states[i];
        state.players.forEach((player, p) => {
          player.hand.forEach((cardId, position) => {
            const shown = step.players[p].hand[position];
            const someoneKnew = knowersOf(state, cardId).length > 0 || isPublicCard(state, cardId) || (state.phase === 'setup' && position < 2);
            if (!someoneKnew) assert.equal(shown, null, `seed ${seed} step ${i}: ${player.id}[${position}] leaked`);
          });
        });
        if (step.action?.value !== undefined) assert.ok(['swap', 'discard', 'timeout', 'forfeit', 'resign'].includes(step.action.type), step.action.type);
      });
      const last = steps[steps.length - 1];
      assert.equal(last.phase, 'matchOver');
      for (const player of last.players) assert.ok(player.hand.every((value) => value !== null), `seed ${seed}: final hands revealed`);
      assert.deepEqual(last.players.map((p) => p.total), states[states.length - 1].players.map((p) => p.total));
    }
  });

  it('rejects a log with an illegal entry', () => {
    assert.throws(() => publicReplay({ seed: testSeed(1), players: ['a', 'b'] }, [{ playerId: 'a', action: { type: 'swap', index: 0 } }]), /rejected/);
  });
});

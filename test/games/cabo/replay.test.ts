import { strict as assert } from 'assert';
import { apply, createMatch, legalActions, replay } from '../../../src/games/cabo';
import type { LogEntry } from '../../../src/games/cabo';
import { testSeed } from '../../support/seeds';

describe('cabo replay and legalActions', () => {
  const init = { seed: testSeed(99), players: ['a', 'b', 'c'], targetScore: 40 };

  it('replay returns every intermediate state, index 0 being the initial one', () => {
    const log: LogEntry[] = [
      { playerId: 'a', action: { type: 'ready' } },
      { playerId: null, action: { type: 'end_setup' } },
      { playerId: 'a', action: { type: 'draw', source: 'discard' } },
      { playerId: 'a', action: { type: 'swap', index: 1 } },
      { playerId: 'b', action: { type: 'cabo' } },
    ];
    const states = replay(init, log);
    assert.equal(states.length, 6);
    assert.deepStrictEqual(states[0], createMatch(init));
    assert.equal(states[1].players[0].ready, true);
    assert.equal(states[2].phase, 'turn');
    assert.equal(states[5].caboCaller, 'b');
    assert.deepStrictEqual(replay(init, log), states, 'deterministic');
  });

  it('replay throws on a rejected entry, naming it', () => {
    assert.throws(
      () => replay(init, [{ playerId: 'b', action: { type: 'ready' } }, { playerId: 'b', action: { type: 'ready' } }]),
      /log entry 1 \(ready\) rejected: INVALID_ACTION/,
    );
  });

  it('legalActions lists concrete actions per step', () => {
    let s = createMatch(init);
    assert.deepEqual(legalActions(s, 'a'), [{ type: 'ready' }, { type: 'resign' }]);
    assert.deepEqual(legalActions(s, 'ghost'), []);
    assert.deepEqual(legalActions(s, null), [
      { type: 'end_setup' },
      { type: 'forfeit', playerId: 'a' },
      { type: 'forfeit', playerId: 'b' },
      { type: 'forfeit', playerId: 'c' },
    ]);
    s = replay(init, [{ playerId: null, action: { type: 'end_setup' } }])[1];
    assert.deepEqual(legalActions(s, 'a'), [
      { type: 'cabo' },
      { type: 'draw', source: 'deck' },
      { type: 'draw', source: 'discard' },
      { type: 'resign' },
    ]);
    assert.deepEqual(legalActions(s, 'b'), [{ type: 'resign' }]);
    assert.deepEqual(legalActions(s, null)[0], { type: 'timeout', playerId: 'a' });
    const drawn = apply(s, 'a', { type: 'draw', source: 'discard' });
    assert.ok(drawn.ok);
    assert.deepEqual(
      legalActions(drawn.state, 'a').map((a) => a.type),
      ['swap', 'swap', 'swap', 'swap', 'resign'],
      'no discard after a discard draw',
    );
  });

  it('legalActions enumerates every power target', () => {
    const base = replay(init, [{ playerId: null, action: { type: 'end_setup' } }])[1];
    const inPower = (power: 'peek' | 'spy' | 'blind_swap') => ({ ...base, turnPhase: 'power' as const, pendingPower: power });
    assert.equal(legalActions(inPower('peek'), 'a').length, 4 + 1 + 1);
    assert.equal(legalActions(inPower('spy'), 'a').length, 2 * 4 + 1 + 1);
    assert.equal(legalActions(inPower('blind_swap'), 'a').length, 4 * 2 * 4 + 1 + 1);
    for (const action of legalActions(inPower('blind_swap'), 'a')) assert.ok(apply(inPower('blind_swap'), 'a', action).ok);
  });
});

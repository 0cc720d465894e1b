import { strict as assert } from 'assert';
import { apply, createMatch, visibleCardIds } from '../../../src/games/cabo';
import { events, ok, play, rejected } from './helpers';
import { testSeed } from '../../support/seeds';

describe('cabo setup phase', () => {
  const fresh = () => createMatch({ seed: testSeed(3), players: ['a', 'b', 'c'] });

  it('shows each player their own hand[0] and hand[1] only, plus the discard top', () => {
    const s = fresh();
    const top = s.discard[0];
    for (const p of s.players) {
      const expected = [p.hand[0], p.hand[1], top].sort((x, y) => x - y);
      assert.deepEqual(visibleCardIds(s, p.id), expected);
    }
    assert.deepEqual(visibleCardIds(s, null), [top]);
    assert.deepEqual(visibleCardIds(s, 'stranger'), [top], 'unknown viewer = spectator');
  });

  it('ready by every player starts turns at seat 0 and removes the setup sight', () => {
    let s = fresh();
    const r1 = apply(s, 'b', { type: 'ready' });
    s = ok(r1);
    assert.deepEqual(events(r1), [
      { type: 'action', action: { playerId: 'b', type: 'ready' } },
      { type: 'ready', playerId: 'b' },
    ]);
    assert.equal(s.phase, 'setup');
    s = ok(apply(s, 'a', { type: 'ready' }));
    const last = apply(s, 'c', { type: 'ready' });
    s = ok(last);
    assert.equal(s.phase, 'turn');
    assert.equal(s.turn, 'a');
    assert.equal(s.turnPhase, 'draw');
    assert.deepEqual(events(last).slice(2), [
      { type: 'setup_ended', reason: 'all_ready' },
      { type: 'turn_started', playerId: 'a' },
    ]);
    for (const p of s.players) assert.deepEqual(visibleCardIds(s, p.id), [s.discard[0]]);
    assert.deepEqual(s.knowledge, fresh().knowledge, 'setup sight is not persistent knowledge');
  });

  it('end_setup (system) ends setup even if nobody is ready', () => {
    const r = apply(fresh(), null, { type: 'end_setup' });
    const s = ok(r);
    assert.equal(s.phase, 'turn');
    assert.equal(s.turn, 'a');
    assert.deepEqual(events(r)[1], { type: 'setup_ended', reason: 'end_setup' });
    assert.deepEqual(visibleCardIds(s, 'a'), [s.discard[0]]);
  });

  it('rejects ready twice, ready after setup and end_setup after setup', () => {
    const s = ok(apply(fresh(), 'a', { type: 'ready' }));
    rejected(apply(s, 'a', { type: 'ready' }), 'INVALID_ACTION', /already ready/);
    const t = ok(apply(s, null, { type: 'end_setup' }));
    rejected(apply(t, 'b', { type: 'ready' }), 'INVALID_ACTION', /setup/);
    rejected(apply(t, null, { type: 'end_setup' }), 'INVALID_ACTION', /setup/);
  });

  it('rejects turn actions during setup', () => {
    const s = fresh();
    rejected(apply(s, 'a', { type: 'draw', source: 'deck' }), 'INVALID_ACTION', /phase setup/);
    rejected(apply(s, 'a', { type: 'cabo' }), 'INVALID_ACTION');
    rejected(apply(s, null, { type: 'timeout', playerId: 'a' }), 'INVALID_ACTION');
  });

  it('a forfeit during setup ends it when the remaining players are all ready', () => {
    let s = play(fresh(), [
      ['a', { type: 'ready' }],
      ['b', { type: 'ready' }],
    ]);
    s = ok(apply(s, null, { type: 'forfeit', playerId: 'c' }));
    assert.equal(s.phase, 'turn');
    assert.equal(s.turn, 'a');
  });

  it('if the starter resigns during setup, the next active seat starts', () => {
    const s = play(fresh(), [
      ['a', { type: 'resign' }],
      [null, { type: 'end_setup' }],
    ]);
    assert.equal(s.turn, 'b');
    assert.equal(s.roundStarter, 'b');
  });
});

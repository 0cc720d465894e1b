import { strict as assert } from 'assert';
import { TestRandom, testSeed } from '../../support/seeds';
import { apply, createMatch, legalActions } from '../../../src/games/cabo';
import type { CaboAction, CaboState, PlayerId } from '../../../src/games/cabo';
import { deepFreeze, ok } from './helpers';
import { fuzzStep, nextStep, randomInit } from './driver';

function objectsIn(value: unknown, into = new Set<object>()): Set<object> {
  if (typeof value === 'object' && value !== null) {
    into.add(value);
    for (const child of Object.values(value)) objectsIn(child, into);
  }
  return into;
}

/** Only plain objects, arrays, strings, finite numbers, booleans and null. */
function assertPlainJson(value: unknown, path = 'state'): void {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return;
  if (typeof value === 'number') return assert.ok(Number.isFinite(value), `${path} is finite`);
  assert.equal(typeof value, 'object', `${path} is JSON`);
  const proto = Object.getPrototypeOf(value);
  assert.ok(proto === Object.prototype || proto === Array.prototype, `${path} is a plain object or array`);
  for (const [key, child] of Object.entries(value as object)) assertPlainJson(child, `${path}.${key}`);
}

/** Applies `action` to a deep-frozen `s` and checks the input is untouched and the output fresh. */
function checkPure(s: CaboState, actor: PlayerId | null, action: CaboAction): void {
  const before = JSON.stringify(s);
  const result = apply(s, actor, action);
  assert.equal(JSON.stringify(s), before, `${actor} ${action.type} mutated its input`);
  if (!result.ok) return;
  assertPlainJson(result.state);
  assert.deepStrictEqual(JSON.parse(JSON.stringify(result.state)), result.state);
  const inputObjects = objectsIn(s);
  for (const o of objectsIn(result.state)) assert.ok(!inputObjects.has(o), 'the new state shares no object with the input');
}

describe('cabo purity', () => {
  it('createMatch returns plain JSON', () => {
    assertPlainJson(createMatch({ seed: testSeed(5), players: ['a', 'b', 'c'] }));
  });

  it('no action ever mutates a deep-frozen input, and results are fresh plain JSON', () => {
    let checked = 0;
    for (let seed = 1; seed <= 12; seed++) {
      const rng = new TestRandom(seed);
      const init = randomInit(rng, seed);
      let s = deepFreeze(createMatch(init));
      let turns = 0;
      for (let step = 0; s.phase !== 'matchOver' && step < 400; step++) {
        const actors: Array<PlayerId | null> = [...init.players, null];
        for (const actor of actors) {
          for (const action of legalActions(s, actor)) {
            checkPure(s, actor, action);
            checked++;
          }
        }
        const fuzz = fuzzStep(s, rng);
        checkPure(s, fuzz.playerId, fuzz.action);
        const entry = nextStep(s, rng, turns, 10);
        const result = apply(s, entry.playerId, entry.action);
        s = deepFreeze(ok(result));
        if (result.ok) turns += result.events.filter((e) => e.type === 'turn_started').length;
      }
    }
    assert.ok(checked > 1000, `checked ${checked}`);
  });

  it('a rejected action returns no state', () => {
    const s = deepFreeze(createMatch({ seed: testSeed(1), players: ['a', 'b'] }));
    const result = apply(s, 'a', { type: 'draw', source: 'deck' });
    assert.deepEqual(Object.keys(result).sort(), ['code', 'message', 'ok']);
  });
});

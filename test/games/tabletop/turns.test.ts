import { strict as assert } from 'assert';
import {
  currentTurn, initialTurnState, nextTurn, removeFromOrder, setCombat, setTurnOrder, type TurnResult, type TurnState,
} from '../../../src/games/tabletop/turns';
import { archivedAudience, canSee, privateAudience, PUBLIC } from '../../../src/games/tabletop/visibility';
import { detailsJson } from '../../../src/protocol/tabletop';

const gm = { userId: 'gm', isGM: true };
const seated = ['gm', 'a', 'b', 'c'];

function ok(result: TurnResult): TurnState {
  if (!result.ok) throw new Error(`expected ok, got ${result.code}: ${result.message}`);
  return result.state;
}

function code(result: TurnResult): string {
  assert.equal(result.ok, false);
  return (result as { code: string }).code;
}

describe('tabletop turns (pure)', () => {
  it('sets an order of seated, distinct players and gives the turn to the first', () => {
    const result = setTurnOrder(initialTurnState, gm, ['b', 'a'], seated);
    const state = ok(result);
    assert.deepEqual(state.order, ['b', 'a']);
    assert.equal(currentTurn(state), 'b');
    assert.deepEqual(result.ok && result.events, [
      { type: 'order', order: ['b', 'a'] },
      { type: 'turn', userId: 'b', index: 0, round: 0 },
    ]);
    assert.equal(currentTurn(ok(setTurnOrder(state, gm, [], seated))), '');
  });

  it('refuses non-GMs, unseated ids and duplicates', () => {
    assert.equal(code(setTurnOrder(initialTurnState, { userId: 'a', isGM: false }, ['a'], seated)), 'GM_ONLY');
    assert.equal(code(setTurnOrder(initialTurnState, gm, ['a', 'zed'], seated)), 'INVALID_ACTION');
    assert.equal(code(setTurnOrder(initialTurnState, gm, ['a', 'b', 'a'], seated)), 'INVALID_ACTION');
  });

  it('passes the turn by the current player or the GM, wrapping, with rounds only in combat', () => {
    let state = ok(setTurnOrder(initialTurnState, gm, ['a', 'b'], seated));
    assert.equal(code(nextTurn(state, { userId: 'b', isGM: false })), 'NOT_YOUR_TURN');
    state = ok(nextTurn(state, { userId: 'a', isGM: false }));
    assert.equal(currentTurn(state), 'b');
    state = ok(nextTurn(state, gm));
    assert.deepEqual([currentTurn(state), state.index, state.round], ['a', 0, 0]);

    state = ok(setCombat(state, gm, true));
    assert.deepEqual([state.combat, state.round, state.index], [true, 1, 0]);
    state = ok(nextTurn(ok(nextTurn(state, gm)), gm));
    assert.deepEqual([currentTurn(state), state.round], ['a', 2]);
    assert.equal(code(nextTurn(initialTurnState, gm)), 'INVALID_ACTION');
  });

  it('starts, adjusts and ends combat (GM only)', () => {
    assert.equal(code(setCombat(initialTurnState, { userId: 'a', isGM: false }, true)), 'GM_ONLY');
    assert.equal(code(setCombat(initialTurnState, gm, false)), 'INVALID_ACTION');
    let state = ok(setCombat(initialTurnState, gm, true, 3));
    assert.equal(state.round, 3);
    assert.equal(code(setCombat(state, gm, true)), 'INVALID_ACTION');
    state = ok(setCombat(state, gm, true, 5));
    assert.equal(state.round, 5);
    assert.equal(code(setCombat(state, gm, false, 2)), 'INVALID_ACTION');
    state = ok(setCombat(state, gm, false));
    assert.deepEqual([state.combat, state.round], [false, 0]);
  });

  it('drops a leaving player from the order and passes their turn on', () => {
    const state = ok(setTurnOrder(initialTurnState, gm, ['a', 'b', 'c'], seated));
    const atB = ok(nextTurn(state, gm));
    assert.deepEqual(removeFromOrder(atB, 'zed').state, atB);
    const beforeCurrent = removeFromOrder(atB, 'a').state;
    assert.deepEqual([beforeCurrent.order, currentTurn(beforeCurrent)], [['b', 'c'], 'b']);
    const afterCurrent = removeFromOrder(atB, 'c').state;
    assert.deepEqual([afterCurrent.order, currentTurn(afterCurrent)], [['a', 'b'], 'b']);
    const current = removeFromOrder(atB, 'b');
    assert.deepEqual([current.state.order, currentTurn(current.state)], [['a', 'c'], 'c']);
    assert.deepEqual(current.events, [{ type: 'turn', userId: 'c', index: 1, round: 0 }]);
    const last = removeFromOrder(ok(nextTurn(atB, gm)), 'c').state;
    assert.deepEqual([last.order, currentTurn(last)], [['a', 'b'], 'a']);
    const alone = removeFromOrder(ok(setTurnOrder(initialTurnState, gm, ['a'], seated)), 'a').state;
    assert.deepEqual([alone.order, currentTurn(alone)], [[], '']);
  });
});

describe('tabletop visibility (pure)', () => {
  const whisper = privateAudience('a', 'b');
  it('shows public entries to everyone and private ones to members and seated GMs only', () => {
    assert.ok(canSee(PUBLIC, { userId: 'x', role: 'spectator', isGM: false }));
    assert.ok(canSee(whisper, { userId: 'a', role: 'player', isGM: false }));
    assert.ok(canSee(whisper, { userId: 'gm', role: 'player', isGM: true }));
    assert.ok(!canSee(whisper, { userId: 'c', role: 'player', isGM: false }));
    assert.ok(!canSee(whisper, { userId: 'a', role: 'spectator', isGM: false }));
    assert.ok(!canSee(whisper, { userId: 'gm', role: 'spectator', isGM: true }));
  });

  it('archives audiences as user ids including every GM', () => {
    assert.equal(archivedAudience(PUBLIC, ['gm']), 'everyone');
    assert.deepEqual(archivedAudience(whisper, ['gm', 'a']), ['a', 'b', 'gm']);
  });
});

describe('tabletop action details', () => {
  it('accepts plain JSON within limits and rejects anything else', () => {
    assert.equal(detailsJson({ target: 'orc', dmg: [1, 2] }), '{"target":"orc","dmg":[1,2]}');
    assert.equal(detailsJson('text'), '"text"');
    assert.equal(detailsJson('x'.repeat(1001)), undefined);
    assert.equal(detailsJson(Number.NaN), undefined);
    assert.equal(detailsJson(new Date()), undefined);
    assert.equal(detailsJson(new Uint8Array(2)), undefined);
    let deep: unknown = 1;
    for (let i = 0; i < 9; i++) deep = [deep];
    assert.equal(detailsJson(deep), undefined);
  });
});

import { strict as assert } from 'assert';
import { apply, cardValue, isMatchOver, isPublicCard, visibleCardIds } from '../../../src/games/cabo';
import type { CaboAction, CaboState } from '../../../src/games/cabo';
import { card, events, hand, ok, passTurn, play, player, rejected, riggedTurn } from './helpers';

const A10 = [card(1), card(2), card(3), card(4)]; // sum 10
const B10 = [card(5), card(3, 1), card(1, 1), card(1, 2)]; // sum 10
const B14 = [card(5), card(6), card(1, 1), card(2, 1)]; // sum 14
const C18 = [card(6, 1), card(6, 2), card(4, 1), card(2, 2)]; // sum 18
const C9 = [card(0), card(0, 1), card(4, 1), card(5, 1)]; // sum 9
const NO_POWER = [card(13), card(13, 1), card(5, 2), card(5, 3), card(6, 3)];

function match(hands: Record<string, number[]>, targetScore = 100): CaboState {
  return riggedTurn({ players: Object.keys(hands), hands, discard: [card(4, 2)], deckTop: NO_POWER, targetScore });
}

/** `caller` calls cabo, then each listed player draws and discards. */
function caboRound(s: CaboState, caller: string, others: string[]): { state: CaboState; lastEvents: ReturnType<typeof events> } {
  let state = ok(apply(s, caller, { type: 'cabo' }));
  for (const id of others.slice(0, -1)) state = passTurn(state, id);
  const last = others.at(-1)!;
  state = ok(apply(state, last, { type: 'draw', source: 'deck' }));
  const r = apply(state, last, { type: 'discard' });
  return { state: ok(r), lastEvents: events(r) };
}

describe('cabo rounds and scoring', () => {
  it('after cabo every other player gets exactly one more turn, then hands are revealed', () => {
    let s = ok(apply(match({ a: A10, b: B14, c: C18 }), 'a', { type: 'cabo' }));
    assert.equal(s.turn, 'b');
    s = passTurn(s, 'b');
    assert.equal(s.turn, 'c');
    assert.equal(s.phase, 'turn');
    const before = s;
    s = passTurn(s, 'c');
    assert.equal(s.phase, 'roundOver');
    assert.equal(s.turn, null);
    const allHands = s.players.flatMap((p) => p.hand);
    for (const viewer of ['a', 'b', null]) for (const id of allHands) assert.ok(visibleCardIds(s, viewer).includes(id));
    assert.ok(allHands.every((id) => isPublicCard(s, id)));
    assert.ok(!isPublicCard(before, hand(before, 'a')[0]));
    rejected(apply(s, 'a', { type: 'draw', source: 'deck' }), 'INVALID_ACTION', /roundOver/);
  });

  it('caller strictly lowest scores 0, others their sum', () => {
    const { state, lastEvents } = caboRound(match({ a: A10, b: B14, c: C18 }), 'a', ['b', 'c']);
    assert.deepEqual(state.rounds, [
      {
        round: 1,
        caller: 'a',
        hands: { a: A10.map(cardValue), b: B14.map(cardValue), c: C18.map(cardValue) },
        scores: { a: 0, b: 14, c: 18 },
      },
    ]);
    assert.deepEqual(state.players.map((p) => [p.total, p.score]), [[0, 0], [14, 14], [18, 18]]);
    assert.deepEqual(lastEvents.at(-1), {
      type: 'round_over',
      round: 1,
      caller: 'a',
      hands: state.rounds[0].hands,
      scores: { a: 0, b: 14, c: 18 },
      totals: { a: 0, b: 14, c: 18 },
    });
  });

  it('caller tied for lowest gets sum + 10', () => {
    const { state } = caboRound(match({ a: A10, b: B10, c: C18 }), 'a', ['b', 'c']);
    assert.deepEqual(state.rounds[0].scores, { a: 20, b: 10, c: 18 });
  });

  it('caller not lowest gets sum + 10', () => {
    const { state } = caboRound(match({ a: A10, b: B14, c: C9 }), 'a', ['b', 'c']);
    assert.deepEqual(state.rounds[0].scores, { a: 20, b: 14, c: 9 });
  });

  it('a caller in a middle seat: the round ends when the turn would return to them', () => {
    let s = passTurn(match({ a: A10, b: B14, c: C18 }), 'a');
    s = ok(apply(s, 'b', { type: 'cabo' }));
    s = passTurn(s, 'c');
    assert.equal(s.turn, 'a');
    s = passTurn(s, 'a');
    assert.equal(s.phase, 'roundOver');
    assert.deepEqual(s.rounds[0].scores, { a: 10, b: 24, c: 18 });
  });

  it('next_round deals afresh, rotates the starter, keeps totals and clears knowledge', () => {
    const { state: r1 } = caboRound(match({ a: A10, b: B14, c: C18 }), 'a', ['b', 'c']);
    rejected(apply(r1, 'a', { type: 'next_round' }), 'INVALID_ACTION', /system action/);
    const r = apply(r1, null, { type: 'next_round' });
    let s = ok(r);
    assert.equal(s.round, 2);
    assert.equal(s.phase, 'setup');
    assert.equal(s.roundStarter, 'b');
    assert.equal(s.caboCaller, null);
    assert.deepEqual(s.knowledge, { [String(s.discard[0])]: ['a', 'b', 'c'] });
    assert.ok(s.players.every((p) => !p.ready && p.hand.length === 4 && p.score === null));
    assert.deepEqual(s.players.map((p) => p.total), [0, 14, 18]);
    assert.ok(s.random.offset > r1.random.offset, 'the new deal drew from the stream');
    assert.deepEqual(events(r).slice(1), [{ type: 'round_started', round: 2, starter: 'b' }]);
    rejected(apply(s, null, { type: 'next_round' }), 'INVALID_ACTION', /after a round/);
    s = ok(apply(s, null, { type: 'end_setup' }));
    assert.equal(s.turn, 'b');
    // round 2: b calls; totals add this round's actual hands
    s = ok(apply(s, 'b', { type: 'cabo' }));
    while (s.phase === 'turn') s = ok(apply(s, null, { type: 'timeout', playerId: s.turn! }));
    const sums = Object.fromEntries(s.players.map((p) => [p.id, p.hand.map(cardValue).reduce((x, y) => x + y, 0)]));
    const bLowest = sums.b < sums.a && sums.b < sums.c;
    const expected = { a: sums.a, b: bLowest ? 0 : sums.b + 10, c: sums.c };
    assert.deepEqual(s.rounds[1].scores, expected);
    assert.deepEqual(s.players.map((p) => p.total), [expected.a, 14 + expected.b, 18 + expected.c]);
    s = ok(apply(s, null, { type: 'next_round' }));
    assert.equal(s.roundStarter, 'c', 'round 3 starts with seat 2');
  });

  it('the next starter skips forfeited seats', () => {
    let s = match({ a: A10, b: B14, c: C18 });
    s = ok(apply(s, 'a', { type: 'cabo' }));
    s = ok(apply(s, 'b', { type: 'resign' }));
    s = passTurn(s, 'c');
    assert.equal(s.phase, 'roundOver');
    assert.equal(ok(apply(s, null, { type: 'next_round' })).roundStarter, 'c');
  });

  it('the match ends when a total is strictly greater than targetScore, ranked by total', () => {
    const atTarget = caboRound(match({ a: A10, b: B14 }, 14), 'a', ['b']).state;
    assert.equal(atTarget.phase, 'roundOver', 'a total equal to the target does not end the match');
    const { state, lastEvents } = caboRound(match({ a: A10, b: B14 }, 13), 'a', ['b']);
    assert.equal(state.phase, 'matchOver');
    assert.ok(isMatchOver(state));
    assert.deepEqual(state.ranking, ['a', 'b']);
    assert.deepEqual(lastEvents.slice(-2).map((e) => e.type), ['round_over', 'match_over']);
    assert.deepEqual(lastEvents.at(-1), { type: 'match_over', ranking: ['a', 'b'], totals: { a: 0, b: 14 } });
  });

  it('ties in the ranking follow seat order', () => {
    // totals a 20 (tie → penalty), b 10, c 20
    const { state } = caboRound(match({ a: A10, b: B10, c: [card(6, 1), card(6, 2), card(4, 1), card(4, 3)] }, 15), 'a', ['b', 'c']);
    assert.deepEqual(state.players.map((p) => p.total), [20, 10, 20]);
    assert.deepEqual(state.ranking, ['b', 'a', 'c']);
  });

  it('GAME_OVER for anything after the match is over', () => {
    const { state } = caboRound(match({ a: A10, b: B14 }, 13), 'a', ['b']);
    const attempts: Array<[string | null, CaboAction]> = [
      ['a', { type: 'ready' }],
      ['b', { type: 'draw', source: 'deck' }],
      ['a', { type: 'resign' }],
      ['zz', { type: 'cabo' }],
      [null, { type: 'next_round' }],
      [null, { type: 'forfeit', playerId: 'a' }],
      [null, { type: 'timeout', playerId: 'a' }],
    ];
    for (const [actor, action] of attempts) rejected(apply(state, actor, action), 'GAME_OVER');
  });

  it('a forfeited player is excluded from scoring and ranked after the active ones', () => {
    let s = ok(apply(match({ a: A10, b: B14, c: C18 }, 5), 'a', { type: 'cabo' }));
    s = play(s, [[null, { type: 'forfeit', playerId: 'c' }]]);
    s = passTurn(s, 'b');
    assert.equal(s.phase, 'matchOver');
    assert.deepEqual(s.rounds[0].scores, { a: 0, b: 14 });
    assert.deepEqual(Object.keys(s.rounds[0].hands), ['a', 'b', 'c'], 'all hands are archived');
    assert.equal(player(s, 'c').total, 0);
    assert.equal(player(s, 'c').score, null);
    assert.deepEqual(s.ranking, ['a', 'b', 'c']);
  });
});

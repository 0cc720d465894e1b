import { strict as assert } from 'assert';
import { allCardIds, cardValue, createMatch, powerOf, DECK_SIZE } from '../../../src/games/cabo';
import { testSeed } from '../../support/seeds';

describe('cabo deck and createMatch', () => {
  it('has 52 cards: 0 and 13 twice, 1–12 four times each', () => {
    const counts = new Map<number, number>();
    for (const id of allCardIds()) counts.set(cardValue(id), (counts.get(cardValue(id)) ?? 0) + 1);
    assert.equal(allCardIds().length, 52);
    assert.equal(counts.get(0), 2);
    assert.equal(counts.get(13), 2);
    for (let v = 1; v <= 12; v++) assert.equal(counts.get(v), 4, `value ${v}`);
    assert.equal(counts.size, 14);
  });

  it('cardValue rejects ids outside 0..51', () => {
    for (const bad of [-1, 52, 1.5, NaN]) assert.throws(() => cardValue(bad), RangeError);
  });

  it('maps powers: 7/8 peek, 9/10 spy, 11/12 blind_swap, others none', () => {
    assert.deepEqual(
      [0, 1, 6, 7, 8, 9, 10, 11, 12, 13].map(powerOf),
      [null, null, null, 'peek', 'peek', 'spy', 'spy', 'blind_swap', 'blind_swap', null],
    );
  });

  it('deals 4 cards each, one face-up discard, the rest as deck, all distinct', () => {
    for (let n = 2; n <= 6; n++) {
      const players = Array.from({ length: n }, (_, i) => `p${i}`);
      const s = createMatch({ seed: testSeed(42 + n), players });
      assert.equal(s.phase, 'setup');
      assert.equal(s.round, 1);
      assert.equal(s.roundStarter, 'p0');
      assert.equal(s.targetScore, 100);
      assert.deepEqual(s.players.map((p) => p.id), players);
      for (const p of s.players) assert.equal(p.hand.length, 4);
      assert.equal(s.discard.length, 1);
      assert.equal(s.deck.length, DECK_SIZE - 4 * n - 1);
      const all = [...s.deck, ...s.discard, ...s.players.flatMap((p) => p.hand)].sort((a, b) => a - b);
      assert.deepEqual(all, allCardIds());
      assert.deepEqual(s.knowledge, { [String(s.discard[0])]: players });
      assert.deepEqual(JSON.parse(JSON.stringify(s)), s, 'plain JSON');
    }
  });

  it('is deterministic per seed and differs across seeds', () => {
    const a = createMatch({ seed: testSeed(7), players: ['x', 'y', 'z'] });
    assert.deepEqual(createMatch({ seed: testSeed(7), players: ['x', 'y', 'z'] }), a);
    assert.notDeepEqual(createMatch({ seed: testSeed(8), players: ['x', 'y', 'z'] }).deck, a.deck);
    assert.ok(a.random.offset > 0, 'the deal drew from the stream');
  });

  it('accepts a custom targetScore and rejects invalid options', () => {
    assert.equal(createMatch({ seed: testSeed(1), players: ['a', 'b'], targetScore: 50 }).targetScore, 50);
    assert.throws(() => createMatch({ seed: testSeed(1), players: ['a'] }), RangeError);
    assert.throws(() => createMatch({ seed: testSeed(1), players: ['a', 'b', 'c', 'd', 'e', 'f', 'g'] }), RangeError);
    assert.throws(() => createMatch({ seed: testSeed(1), players: ['a', 'a'] }), RangeError);
    assert.throws(() => createMatch({ seed: testSeed(1), players: ['a', ''] }), TypeError);
    assert.throws(() => createMatch({ seed: testSeed(1), players: ['a', 'b'], targetScore: 0 }), RangeError);
    assert.throws(() => createMatch({ seed: 'not a seed', players: ['a', 'b'] }), TypeError);
  });
});

import { strict as assert } from 'assert';
import { apply, cardValue, isPublicCard, legalActions, visibleCardIds } from '../../../src/games/cabo';
import type { CaboAction, CaboState } from '../../../src/games/cabo';
import { card, events, hand, knows, ok, play, rejected, riggedTurn } from './helpers';

const A = [card(1), card(2), card(3), card(4)];
const B = [card(5), card(6), card(1, 1), card(2, 1)];
const C = [card(3, 1), card(4, 1), card(5, 1), card(6, 1)];
const TOP = card(0);

function start(deckTop: number[], players = ['a', 'b']): CaboState {
  return riggedTurn({ players, hands: { a: A, b: B, c: C }, discard: [TOP], deckTop });
}

describe('cabo turn actions', () => {
  describe('draw', () => {
    it('from the deck: only the drawer sees the card', () => {
      const drawnId = card(13);
      const r = apply(start([drawnId]), 'a', { type: 'draw', source: 'deck' });
      const s = ok(r);
      assert.deepEqual(s.drawn, { cardId: drawnId, source: 'deck' });
      assert.equal(s.turnPhase, 'drawn');
      assert.ok(knows(s, 'a', drawnId));
      assert.ok(!knows(s, 'b', drawnId));
      assert.ok(visibleCardIds(s, 'a').includes(drawnId));
      assert.ok(!visibleCardIds(s, 'b').includes(drawnId));
      assert.deepEqual(visibleCardIds(s, null), [TOP]);
      assert.deepEqual(events(r), [
        { type: 'action', action: { playerId: 'a', type: 'draw', source: 'deck' } },
        { type: 'drew', playerId: 'a', source: 'deck' },
      ]);
    });

    it('from the discard: takes the public top card', () => {
      const s = ok(apply(start([]), 'a', { type: 'draw', source: 'discard' }));
      assert.deepEqual(s.drawn, { cardId: TOP, source: 'discard' });
      assert.deepEqual(s.discard, []);
      assert.deepEqual(s.knowledge[String(TOP)], ['a', 'b']);
    });

    it('rejects bad sources and a second draw', () => {
      const s = start([]);
      for (const source of ['hand', undefined, 1, null]) {
        rejected(apply(s, 'a', { type: 'draw', source } as unknown as CaboAction), 'INVALID_ACTION', /source/);
      }
      const drawn = ok(apply(s, 'a', { type: 'draw', source: 'deck' }));
      rejected(apply(drawn, 'a', { type: 'draw', source: 'deck' }), 'INVALID_ACTION', /turn step "draw"/);
    });
  });

  describe('swap', () => {
    it('replaces hand[index], puts the old card face-up, keeps the drawer\'s knowledge, ends the turn', () => {
      const drawnId = card(13);
      let s = ok(apply(start([drawnId]), 'a', { type: 'draw', source: 'deck' }));
      const r = apply(s, 'a', { type: 'swap', index: 2 });
      s = ok(r);
      assert.deepEqual(hand(s, 'a'), [A[0], A[1], drawnId, A[3]]);
      assert.deepEqual(s.discard, [TOP, A[2]]);
      assert.deepEqual(s.knowledge[String(A[2])], ['a', 'b'], 'face-up: known to all');
      assert.deepEqual(s.knowledge[String(drawnId)], ['a'], 'still known only to a');
      assert.equal(s.drawn, null);
      assert.equal(s.turn, 'b');
      assert.equal(s.turnPhase, 'draw');
      assert.ok(isPublicCard(s, A[2]));
      assert.ok(!isPublicCard(s, drawnId));
      assert.deepEqual(events(r), [
        { type: 'action', action: { playerId: 'a', type: 'swap', index: 2, value: cardValue(A[2]) } },
        { type: 'swapped', playerId: 'a', index: 2, discardedValue: cardValue(A[2]) },
        { type: 'turn_started', playerId: 'b' },
      ]);
    });

    it('a card taken from the discard stays known to all players in the hand', () => {
      const s = play(start([]), [
        ['a', { type: 'draw', source: 'discard' }],
        ['a', { type: 'swap', index: 0 }],
      ]);
      assert.equal(hand(s, 'a')[0], TOP);
      assert.deepEqual(s.knowledge[String(TOP)], ['a', 'b']);
      assert.ok(visibleCardIds(s, 'b').includes(TOP));
      assert.ok(!visibleCardIds(s, null).includes(TOP), 'but spectators only see the discard top');
    });

    it('rejects bad indices and swapping before drawing', () => {
      const s = ok(apply(start([]), 'a', { type: 'draw', source: 'deck' }));
      for (const index of [-1, 4, 1.5, '1', NaN, null, undefined, Infinity]) {
        rejected(apply(s, 'a', { type: 'swap', index } as unknown as CaboAction), 'INVALID_ACTION', /index/);
      }
      rejected(apply(start([]), 'a', { type: 'swap', index: 0 }), 'INVALID_ACTION', /turn step "drawn"/);
    });
  });

  describe('discard', () => {
    it('a non-power card goes face-up and ends the turn', () => {
      const drawnId = card(13);
      const r = apply(ok(apply(start([drawnId]), 'a', { type: 'draw', source: 'deck' })), 'a', { type: 'discard' });
      const s = ok(r);
      assert.deepEqual(s.discard, [TOP, drawnId]);
      assert.deepEqual(s.knowledge[String(drawnId)], ['a', 'b']);
      assert.equal(s.turn, 'b');
      assert.deepEqual(visibleCardIds(s, null), [drawnId]);
      assert.deepEqual(events(r).map((e) => e.type), ['action', 'discarded', 'turn_started']);
    });

    it('is refused for a card drawn from the discard pile', () => {
      const s = ok(apply(start([]), 'a', { type: 'draw', source: 'discard' }));
      rejected(apply(s, 'a', { type: 'discard' }), 'INVALID_ACTION', /discard pile/);
    });

    for (const [value, power] of [[7, 'peek'], [8, 'peek'], [9, 'spy'], [10, 'spy'], [11, 'blind_swap'], [12, 'blind_swap']] as const) {
      it(`a discarded ${value} grants ${power}`, () => {
        const r = apply(ok(apply(start([card(value)]), 'a', { type: 'draw', source: 'deck' })), 'a', { type: 'discard' });
        const s = ok(r);
        assert.equal(s.turn, 'a');
        assert.equal(s.turnPhase, 'power');
        assert.equal(s.pendingPower, power);
        assert.deepEqual(events(r).at(-1), { type: 'power_available', playerId: 'a', power });
      });
    }

    it('swapping a power card into the hand grants nothing', () => {
      const s = play(start([card(7)]), [
        ['a', { type: 'draw', source: 'deck' }],
        ['a', { type: 'swap', index: 0 }],
      ]);
      assert.equal(s.turn, 'b');
      assert.equal(s.pendingPower, null);
    });
  });

  describe('powers', () => {
    const withPower = (value: number, players = ['a', 'b']) =>
      play(start([card(value)], players), [
        ['a', { type: 'draw', source: 'deck' }],
        ['a', { type: 'discard' }],
      ]);

    it('peek: the player learns own hand[index], persistently', () => {
      const r = apply(withPower(7), 'a', { type: 'peek', index: 3 });
      const s = ok(r);
      assert.deepEqual(s.knowledge[String(A[3])], ['a']);
      assert.ok(visibleCardIds(s, 'a').includes(A[3]));
      assert.ok(!visibleCardIds(s, 'b').includes(A[3]));
      assert.equal(s.turn, 'b');
      assert.deepEqual(events(r)[0], { type: 'action', action: { playerId: 'a', type: 'peek', index: 3 } });
    });

    it('spy: the player learns an opponent\'s card; the owner learns nothing', () => {
      const r = apply(withPower(9), 'a', { type: 'spy', userId: 'b', index: 1 });
      const s = ok(r);
      assert.deepEqual(s.knowledge[String(B[1])], ['a']);
      assert.ok(!visibleCardIds(s, 'b').includes(B[1]));
      assert.deepEqual(events(r)[0], { type: 'action', action: { playerId: 'a', type: 'spy', targetId: 'b', targetIndex: 1 } });
    });

    it('spy rejects self, unknown, non-string targets and bad indices', () => {
      const s = withPower(10);
      rejected(apply(s, 'a', { type: 'spy', userId: 'a', index: 0 }), 'INVALID_ACTION', /yourself/);
      rejected(apply(s, 'a', { type: 'spy', userId: 'zz', index: 0 }), 'INVALID_ACTION', /opponent/);
      rejected(apply(s, 'a', { type: 'spy', userId: 5, index: 0 } as unknown as CaboAction), 'INVALID_ACTION');
      rejected(apply(s, 'a', { type: 'spy', userId: 'b', index: 4 }), 'INVALID_ACTION', /index/);
    });

    it('blind_swap exchanges cards and their knowledge stays with the cards', () => {
      let s = withPower(11, ['a', 'b', 'c']);
      // c had spied b's card, b had spied a's card: that knowledge travels, nobody learns anything
      s = { ...s, knowledge: { ...s.knowledge, [String(B[2])]: ['c'], [String(A[0])]: ['b'] } };
      const r = apply(s, 'a', { type: 'blind_swap', index: 0, userId: 'b', targetIndex: 2 });
      const t = ok(r);
      assert.equal(hand(t, 'a')[0], B[2]);
      assert.equal(hand(t, 'b')[2], A[0]);
      assert.deepEqual(t.knowledge[String(B[2])], ['c']);
      assert.deepEqual(t.knowledge[String(A[0])], ['b']);
      assert.ok(!visibleCardIds(t, 'a').includes(B[2]), 'a still does not see the card it received');
      const { [String(B[2])]: _x, [String(A[0])]: _y, ...rest } = t.knowledge;
      const { [String(B[2])]: _z, [String(A[0])]: _w, ...before } = s.knowledge;
      assert.deepEqual(rest, before, 'no other knowledge changed');
      assert.equal(t.turn, 'b');
      assert.deepEqual(events(r)[0], {
        type: 'action',
        action: { playerId: 'a', type: 'blind_swap', index: 0, targetId: 'b', targetIndex: 2 },
      });
    });

    it('blind_swap validates both indices and the target', () => {
      const s = withPower(12);
      rejected(apply(s, 'a', { type: 'blind_swap', index: 0, userId: 'b', targetIndex: 9 }), 'INVALID_ACTION', /targetIndex/);
      rejected(apply(s, 'a', { type: 'blind_swap', index: -1, userId: 'b', targetIndex: 0 }), 'INVALID_ACTION', /index/);
      rejected(apply(s, 'a', { type: 'blind_swap', index: 0, userId: 'a', targetIndex: 0 }), 'INVALID_ACTION');
    });

    it('skip_power ends the turn without learning anything', () => {
      const s = withPower(8);
      const t = ok(apply(s, 'a', { type: 'skip_power' }));
      assert.deepEqual(t.knowledge, s.knowledge);
      assert.equal(t.turn, 'b');
      rejected(apply(t, 'b', { type: 'skip_power' }), 'INVALID_ACTION', /turn step "power"/);
    });

    it('only the granted power may be used', () => {
      const peekState = withPower(7);
      rejected(apply(peekState, 'a', { type: 'spy', userId: 'b', index: 0 }), 'INVALID_ACTION', /pending power is peek/);
      rejected(apply(peekState, 'a', { type: 'blind_swap', index: 0, userId: 'b', targetIndex: 0 }), 'INVALID_ACTION');
      rejected(apply(withPower(9), 'a', { type: 'peek', index: 0 }), 'INVALID_ACTION', /pending power is spy/);
      rejected(apply(start([]), 'a', { type: 'peek', index: 0 }), 'INVALID_ACTION', /turn step "power"/);
    });

    it('only non-forfeited opponents can be targeted', () => {
      let s = withPower(9, ['a', 'b', 'c']);
      s = ok(apply(s, 'c', { type: 'resign' }));
      rejected(apply(s, 'a', { type: 'spy', userId: 'c', index: 0 }), 'INVALID_ACTION', /forfeited/);
      assert.ok(legalActions(s, 'a').every((a) => !('userId' in a) || a.userId === 'b'));
    });
  });

  describe('cabo', () => {
    it('records the caller, ends the turn, and can be called only once per round', () => {
      const r = apply(start([], ['a', 'b', 'c']), 'a', { type: 'cabo' });
      const s = ok(r);
      assert.equal(s.caboCaller, 'a');
      assert.equal(s.turn, 'b');
      assert.deepEqual(events(r).map((e) => e.type), ['action', 'cabo_called', 'turn_started']);
      rejected(apply(s, 'b', { type: 'cabo' }), 'INVALID_ACTION', /already called by a/);
    });

    it('is only possible before drawing', () => {
      const s = ok(apply(start([]), 'a', { type: 'draw', source: 'deck' }));
      rejected(apply(s, 'a', { type: 'cabo' }), 'INVALID_ACTION', /turn step "draw"/);
    });
  });

  describe('errors', () => {
    it('NOT_YOUR_TURN for a seated player out of turn', () => {
      rejected(apply(start([]), 'b', { type: 'draw', source: 'deck' }), 'NOT_YOUR_TURN', /a's turn/);
      rejected(apply(start([]), 'b', { type: 'cabo' }), 'NOT_YOUR_TURN');
    });

    it('NOT_A_PLAYER for unknown ids and for player actions without a player', () => {
      rejected(apply(start([]), 'zz', { type: 'draw', source: 'deck' }), 'NOT_A_PLAYER', /zz/);
      rejected(apply(start([]), null, { type: 'draw', source: 'deck' }), 'NOT_A_PLAYER');
      rejected(apply(start([]), 42 as unknown as string, { type: 'cabo' }), 'NOT_A_PLAYER');
      for (const odd of [Symbol('x'), Object.create(null), {}, []]) {
        rejected(apply(start([]), odd as unknown as string, { type: 'cabo' }), 'NOT_A_PLAYER');
        rejected(apply(start([]), null, { type: 'forfeit', playerId: odd } as never), 'NOT_A_PLAYER');
        rejected(apply(start([]), null, { type: 'timeout', playerId: odd } as never), 'NOT_A_PLAYER');
      }
    });

    it('INVALID_ACTION for system actions sent by players, unknown types and garbage', () => {
      const s = start([]);
      rejected(apply(s, 'a', { type: 'end_setup' }), 'INVALID_ACTION', /system action/);
      rejected(apply(s, 'a', { type: 'timeout', playerId: 'a' }), 'INVALID_ACTION', /system action/);
      rejected(apply(s, 'a', { type: 'fly' } as unknown as CaboAction), 'INVALID_ACTION', /unknown action type "fly"/);
      for (const garbage of [null, undefined, 7, 'draw', [], {}, { type: 3 }, { type: '__proto__' }, { type: 'toString' }]) {
        rejected(apply(s, 'a', garbage as unknown as CaboAction), 'INVALID_ACTION');
      }
    });
  });

  describe('reshuffle', () => {
    it('when a draw empties the deck, the discard minus its top becomes the new deck and is forgotten', () => {
      const last = card(13);
      const short = riggedTurn({ hands: { a: A, b: B }, discard: [TOP], deckTop: [last], shortDeck: true });
      assert.equal(short.deck.length, 1);
      const pileBefore = short.discard.slice();
      const r = apply(short, 'a', { type: 'draw', source: 'deck' });
      const t = ok(r);
      assert.deepEqual(t.discard, [pileBefore.at(-1)]);
      assert.deepEqual(t.deck.slice().sort((x, y) => x - y), pileBefore.slice(0, -1).sort((x, y) => x - y));
      assert.notDeepEqual(t.deck, pileBefore.slice(0, -1), 'shuffled');
      assert.ok(t.random.offset > short.random.offset, 'the reshuffle drew from the stream');
      for (const id of t.deck) assert.equal(t.knowledge[String(id)], undefined, `card ${id} forgotten`);
      assert.deepEqual(t.knowledge[String(t.discard[0])], ['a', 'b'], 'the top stays known');
      assert.deepEqual(t.knowledge[String(last)], ['a'], 'the drawer knows the drawn card');
      assert.deepEqual(events(r).at(-1), { type: 'deck_reshuffled', deckCount: t.deck.length });
      for (const viewer of ['a', 'b']) assert.ok(visibleCardIds(t, viewer).every((id) => !t.deck.includes(id)));
    });
  });
});

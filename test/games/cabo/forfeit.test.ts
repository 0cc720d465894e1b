import { strict as assert } from 'assert';
import { activePlayers, apply, legalActions, visibleCardIds } from '../../../src/games/cabo';
import type { CaboState } from '../../../src/games/cabo';
import { card, events, hand, ok, passTurn, play, player, rejected, riggedTurn } from './helpers';

const A = [card(1), card(2), card(3), card(4)];
const B = [card(5), card(6), card(1, 1), card(2, 1)];
const C = [card(3, 1), card(4, 1), card(5, 1), card(6, 1)];
const TOP = card(0);
const DECK = [card(13), card(13, 1), card(0, 1), card(5, 2), card(5, 3), card(6, 2), card(6, 3)];

function start(players = ['a', 'b', 'c']): CaboState {
  return riggedTurn({ players, hands: { a: A, b: B, c: C }, discard: [TOP], deckTop: DECK });
}

describe('cabo resign and forfeit', () => {
  it('resign on own turn with a drawn card: card to the discard, turn passes, hand stays', () => {
    const s = ok(apply(start(), 'a', { type: 'draw', source: 'deck' }));
    const r = apply(s, 'a', { type: 'resign' });
    const t = ok(r);
    assert.equal(player(t, 'a').forfeited, true);
    assert.equal(player(t, 'a').forfeitOrder, 1);
    assert.deepEqual(hand(t, 'a'), A);
    assert.deepEqual(t.discard, [TOP, card(13)]);
    assert.equal(t.drawn, null);
    assert.equal(t.turn, 'b');
    assert.deepEqual(activePlayers(t), ['b', 'c']);
    assert.deepEqual(events(r), [
      { type: 'action', action: { playerId: 'a', type: 'resign' } },
      { type: 'forfeited', playerId: 'a', reason: 'resign' },
      { type: 'discarded', playerId: 'a', value: 13, auto: true },
      { type: 'turn_started', playerId: 'b' },
    ]);
    assert.deepEqual(legalActions(t, 'a'), []);
  });

  it('resign out of turn keeps the current turn; the player is skipped afterwards', () => {
    let s = ok(apply(start(), 'b', { type: 'resign' }));
    assert.equal(s.turn, 'a');
    s = passTurn(s, 'a');
    assert.equal(s.turn, 'c');
  });

  it('resign during the power step ends the turn', () => {
    const s = riggedTurn({ players: ['a', 'b', 'c'], hands: { a: A, b: B, c: C }, discard: [TOP], deckTop: [card(7)] });
    const p = play(s, [
      ['a', { type: 'draw', source: 'deck' }],
      ['a', { type: 'discard' }],
      ['a', { type: 'resign' }],
    ]);
    assert.equal(p.turn, 'b');
    assert.equal(p.pendingPower, null);
    assert.equal(p.turnPhase, 'draw');
  });

  it('system forfeit works like resign, once', () => {
    const r = apply(start(), null, { type: 'forfeit', playerId: 'c' });
    const s = ok(r);
    assert.deepEqual(events(r).slice(0, 2), [
      { type: 'action', action: { playerId: 'c', type: 'forfeit' } },
      { type: 'forfeited', playerId: 'c', reason: 'disconnect' },
    ]);
    rejected(apply(s, null, { type: 'forfeit', playerId: 'c' }), 'INVALID_ACTION', /already forfeited/);
    rejected(apply(s, null, { type: 'forfeit', playerId: 'nobody' }), 'NOT_A_PLAYER');
    rejected(apply(s, 'a', { type: 'forfeit', playerId: 'b' }), 'INVALID_ACTION', /system action/);
    rejected(apply(s, 'c', { type: 'resign' }), 'INVALID_ACTION', /forfeited/);
  });

  it('a forfeited cabo caller still ends the round when the turn would return to them', () => {
    let s = ok(apply(start(), 'a', { type: 'cabo' }));
    s = ok(apply(s, 'a', { type: 'resign' }));
    s = passTurn(s, 'b');
    assert.equal(s.turn, 'c');
    s = passTurn(s, 'c');
    assert.equal(s.phase, 'roundOver');
    assert.equal(s.rounds[0].caller, 'a');
    assert.deepEqual(Object.keys(s.rounds[0].scores), ['b', 'c']);
  });

  it('fewer than 2 active players ends the match at once, latest forfeit ranked higher', () => {
    let s = ok(apply(start(), 'b', { type: 'resign' }));
    const drawn = ok(apply(s, 'a', { type: 'draw', source: 'deck' }));
    const r = apply(drawn, null, { type: 'forfeit', playerId: 'a' });
    s = ok(r);
    assert.equal(s.phase, 'matchOver');
    assert.deepEqual(s.ranking, ['c', 'a', 'b']);
    assert.equal(s.drawn, null);
    assert.equal(s.discard.at(-1), card(13), 'the pending card is conserved on the discard');
    assert.deepEqual(events(r).at(-1), { type: 'match_over', ranking: ['c', 'a', 'b'], totals: { a: 0, b: 0, c: 0 } });
    const allHands = s.players.flatMap((p) => p.hand);
    assert.ok(allHands.every((id) => visibleCardIds(s, null).includes(id)), 'hands revealed');
    rejected(apply(s, 'c', { type: 'draw', source: 'deck' }), 'GAME_OVER');
  });

  it('resign is possible in setup and after a round', () => {
    const s = riggedTurn({ players: ['a', 'b'], hands: { a: A, b: B }, discard: [TOP], deckTop: DECK });
    let t = ok(apply(s, 'a', { type: 'cabo' }));
    t = passTurn(t, 'b');
    assert.equal(t.phase, 'roundOver');
    const over = ok(apply(t, 'b', { type: 'resign' }));
    assert.equal(over.phase, 'matchOver');
    assert.deepEqual(over.ranking, ['a', 'b']);
  });
});

import { strict as assert } from 'assert';
import { apply } from '../../../src/games/cabo';
import type { CaboState } from '../../../src/games/cabo';
import { card, events, hand, knows, ok, passTurn, play, player, rejected, riggedTurn } from './helpers';

const A = [card(1), card(2), card(3), card(4)];
const B = [card(5), card(6), card(1, 1), card(2, 1)];
const C = [card(3, 1), card(4, 1), card(5, 1), card(6, 1)];
const TOP = card(0);
/** Every unused non-power card, so passTurn never triggers a power. */
const deck = [card(13), card(13, 1), card(0, 1), ...[1, 2, 3, 4, 5, 6].flatMap((v) => [card(v, 2), card(v, 3)])];

function start(deckTop: number[], players = ['a', 'b']): CaboState {
  return riggedTurn({ players, hands: { a: A, b: B, c: C }, discard: [TOP], deckTop });
}
const timeout = (s: CaboState, playerId: string) => apply(s, null, { type: 'timeout', playerId });

describe('cabo turn timeouts', () => {
  it('in draw: draws from the deck and discards it, never using a power', () => {
    const seven = card(7);
    const r = timeout(start([seven]), 'a');
    const s = ok(r);
    assert.deepEqual(s.discard, [TOP, seven]);
    assert.deepEqual(hand(s, 'a'), A);
    assert.equal(s.pendingPower, null);
    assert.equal(s.turn, 'b');
    assert.equal(player(s, 'a').timeouts, 1);
    assert.deepEqual(events(r), [
      { type: 'action', action: { playerId: 'a', type: 'timeout', value: 7 } },
      { type: 'timed_out', playerId: 'a', timeouts: 1 },
      { type: 'drew', playerId: 'a', source: 'deck' },
      { type: 'discarded', playerId: 'a', value: 7, auto: true },
      { type: 'turn_started', playerId: 'b' },
    ]);
  });

  it('in drawn: discards the drawn card, even one taken from the discard pile', () => {
    const s = ok(timeout(ok(apply(start([]), 'a', { type: 'draw', source: 'discard' })), 'a'));
    assert.deepEqual(s.discard, [TOP]);
    assert.deepEqual(hand(s, 'a'), A);
    assert.equal(s.turn, 'b');
    const nine = card(9);
    const t = ok(timeout(ok(apply(start([nine]), 'a', { type: 'draw', source: 'deck' })), 'a'));
    assert.equal(t.discard.at(-1), nine);
    assert.equal(t.turn, 'b', 'no power from an auto-discard');
  });

  it('in power: skips the power', () => {
    const s = play(start([card(10)]), [
      ['a', { type: 'draw', source: 'deck' }],
      ['a', { type: 'discard' }],
    ]);
    const r = timeout(s, 'a');
    const t = ok(r);
    assert.equal(t.turn, 'b');
    assert.deepEqual(t.knowledge, s.knowledge);
    assert.deepEqual(events(r).map((e) => e.type), ['action', 'timed_out', 'power_skipped', 'turn_started']);
    assert.deepEqual(events(r)[2], { type: 'power_skipped', playerId: 'a', auto: true });
  });

  it('is only for the current turn player, in phase turn', () => {
    rejected(timeout(start([]), 'b'), 'NOT_YOUR_TURN', /a's turn/);
    rejected(timeout(start([]), 'zz'), 'NOT_A_PLAYER');
    rejected(apply(start([]), null, { type: 'timeout' } as never), 'NOT_A_PLAYER');
  });

  it('3 consecutive timeouts forfeit the player', () => {
    let s = start(deck, ['a', 'b', 'c']);
    s = ok(timeout(s, 'a'));
    s = passTurn(s, 'b');
    s = passTurn(s, 'c');
    s = ok(timeout(s, 'a'));
    s = passTurn(s, 'b');
    s = passTurn(s, 'c');
    assert.equal(player(s, 'a').timeouts, 2);
    const r = timeout(s, 'a');
    s = ok(r);
    assert.equal(player(s, 'a').forfeited, true);
    assert.equal(player(s, 'a').timeouts, 3);
    assert.equal(s.turn, 'b');
    assert.deepEqual(events(r).slice(-2), [
      { type: 'turn_started', playerId: 'b' },
      { type: 'forfeited', playerId: 'a', reason: 'timeouts' },
    ]);
    s = passTurn(s, 'b');
    assert.equal(s.turn, 'c');
    s = passTurn(s, 'c');
    assert.equal(s.turn, 'b', 'a is skipped from now on');
    rejected(apply(s, 'a', { type: 'ready' }), 'INVALID_ACTION', /forfeited/);
  });

  it('an action of the player resets the streak', () => {
    let s = start(deck);
    s = ok(timeout(s, 'a'));
    s = passTurn(s, 'b');
    s = ok(timeout(s, 'a'));
    s = passTurn(s, 'b');
    assert.equal(player(s, 'a').timeouts, 2);
    s = ok(apply(s, 'a', { type: 'draw', source: 'deck' }));
    assert.equal(player(s, 'a').timeouts, 0);
    s = ok(timeout(s, 'a'));
    assert.equal(player(s, 'a').timeouts, 1);
    assert.equal(player(s, 'a').forfeited, false);
  });

  it('the third timeout ending the last 2-player round still forfeits and ends the match', () => {
    let s = start([card(13), card(13, 1), card(0, 1)]);
    s = { ...s, players: s.players.map((p) => (p.id === 'b' ? { ...p, timeouts: 2 } : p)) };
    s = ok(apply(s, 'a', { type: 'cabo' }));
    const t = ok(timeout(s, 'b'));
    assert.equal(t.phase, 'matchOver');
    assert.deepEqual(t.rounds[0].scores, { a: 0, b: 14 }); // caller a (10) strictly lowest
    assert.deepEqual(t.ranking, ['a', 'b']);
    assert.ok(knows(t, 'a', card(13)), 'the auto-drawn card landed face-up');
  });
});

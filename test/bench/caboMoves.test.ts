import assert from 'assert';
import {
  apply,
  cardValue,
  createMatch,
  discardTop,
  legalActions,
  visibleCardIds,
  type CaboAction,
  type CaboState,
} from '../../src/games/cabo';
import { chooseCaboMove, type CaboView } from '../../loadtest/caboMoves';
import { testSeed } from '../support/seeds';

/** What a client of `viewer` decodes from the room state, built from the engine state. */
function clientView(s: CaboState, viewer: string): CaboView {
  const visible = new Set(visibleCardIds(s, viewer));
  const players = new Map(
    s.players.map((p) => [
      p.id,
      {
        id: p.id,
        hand: p.hand.map((cardId) => ({ id: String(cardId), value: visible.has(cardId) ? cardValue(cardId) : undefined })),
        handCount: p.hand.length,
        drawn: s.drawn && s.turn === p.id && visible.has(s.drawn.cardId) ? { value: cardValue(s.drawn.cardId) } : {},
        forfeited: p.forfeited,
        ready: p.ready,
      },
    ]),
  );
  const top = discardTop(s);
  return {
    phase: s.phase === 'matchOver' ? 'finished' : 'playing',
    roundPhase: s.phase,
    turn: s.turn ?? '',
    turnPhase: s.turnPhase ?? '',
    pendingPower: s.pendingPower ?? '',
    drawnFrom: s.drawn?.source ?? '',
    deckCount: s.deck.length,
    discardCount: s.discard.length,
    discardTop: top === null ? -1 : cardValue(top),
    caboCaller: s.caboCaller ?? '',
    players,
  };
}

/** Small deterministic PRNG (mulberry32) so failures reproduce. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('bench: chooseCaboMove', () => {
  it('only ever chooses moves the rules accept, and bots alone finish whole matches', () => {
    let moves = 0;
    for (let seed = 1; seed <= 150; seed++) {
      const random = seeded(seed);
      const players = Array.from({ length: 2 + (seed % 5) }, (_, i) => `p${i}`);
      let s = createMatch({ seed: testSeed(seed), players, targetScore: 60 });
      let steps = 0;
      while (s.phase !== 'matchOver') {
        assert.ok(++steps < 20_000, `match ${seed} does not end`);
        let acted = false;
        for (const id of players) {
          const move = chooseCaboMove(clientView(s, id), id, random, { caboChance: 0.15, skipPowerChance: 0.2 });
          if (!move) continue;
          const action = { type: move.type, ...move.payload } as CaboAction;
          const legal = legalActions(s, id).some((candidate) => JSON.stringify(candidate) === JSON.stringify(action));
          assert.ok(legal, `seed ${seed}: ${JSON.stringify(action)} by ${id} is not among the legal actions`);
          const result = apply(s, id, action);
          assert.ok(result.ok, `seed ${seed}: rules refused ${JSON.stringify(action)}`);
          s = result.state;
          moves++;
          acted = true;
          break;
        }
        if (!acted) {
          // Nobody has a move: only the room's system actions can advance (e.g. the round pause).
          assert.equal(s.phase, 'roundOver', `seed ${seed}: bots stuck in phase ${s.phase}`);
          const result = apply(s, null, { type: 'next_round' });
          assert.ok(result.ok);
          s = result.state;
        }
      }
    }
    assert.ok(moves > 5_000, `only ${moves} moves`);
  });

  it('has nothing to do outside its turn, after readying, or when the match is not running', () => {
    const s = createMatch({ seed: testSeed(7), players: ['a', 'b', 'c'] });
    const ready = chooseCaboMove(clientView(s, 'a'), 'a');
    assert.deepEqual(ready, { type: 'ready', payload: {} });
    let state = s;
    for (const id of ['a', 'b', 'c']) {
      const result = apply(state, id, { type: 'ready' });
      assert.ok(result.ok);
      state = result.state;
    }
    const others = ['a', 'b', 'c'].filter((id) => id !== state.turn);
    for (const id of others) assert.equal(chooseCaboMove(clientView(state, id), id), null);
    assert.notEqual(chooseCaboMove(clientView(state, state.turn!), state.turn!), null);
    assert.equal(chooseCaboMove({ ...clientView(state, state.turn!), phase: 'finished' }, state.turn!), null);
    assert.equal(chooseCaboMove(clientView(state, 'stranger'), 'stranger'), null);
  });

  it('calls cabo when the policy says always, and never when it says never', () => {
    let s = createMatch({ seed: testSeed(3), players: ['a', 'b'] });
    for (const id of ['a', 'b']) {
      const result = apply(s, id, { type: 'ready' });
      assert.ok(result.ok);
      s = result.state;
    }
    const turn = s.turn!;
    assert.equal(chooseCaboMove(clientView(s, turn), turn, Math.random, { caboChance: 1, skipPowerChance: 0 })?.type, 'cabo');
    for (let i = 0; i < 50; i++) {
      assert.equal(chooseCaboMove(clientView(s, turn), turn, Math.random, { caboChance: 0, skipPowerChance: 0 })?.type, 'draw');
    }
  });
});

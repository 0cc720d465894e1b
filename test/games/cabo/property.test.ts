import { strict as assert } from 'assert';
import { TestRandom } from '../../support/seeds';
import { activePlayers, apply, createMatch, legalActions, replay, visibleCardIds, DECK_SIZE } from '../../../src/games/cabo';
import type { CaboAction, CaboState, LogEntry, MatchInit, PlayerId } from '../../../src/games/cabo';
import { deepFreeze } from './helpers';
import { fuzzStep, isListedIn, nextStep, randomInit } from './driver';

const MATCHES = 2000;
const ALL_IDS = Array.from({ length: DECK_SIZE }, (_, id) => id);

type Model = Map<number, Set<PlayerId>>;

/**
 * Independent model of persistent knowledge, derived only from card positions and the action:
 * deck draws teach the drawer, peek/spy teach the actor, face-up cards are known to all,
 * reshuffled cards and new deals are forgotten. Blind swaps and hand moves teach nothing.
 */
function updateModel(model: Model, pre: CaboState, post: CaboState, entry: LogEntry): void {
  const everyone = post.players.map((p) => p.id);
  if (post.round !== pre.round) model.clear();
  const before = new Set(pre.deck);
  for (const id of post.deck) if (!before.has(id)) model.delete(id);
  const learn = (id: number, who: PlayerId) => model.set(id, new Set([...(model.get(id) ?? []), who]));
  const a = entry.action;
  const actor = entry.playerId as PlayerId;
  if (a.type === 'draw' && a.source === 'deck' && post.drawn) learn(post.drawn.cardId, actor);
  if (a.type === 'peek') learn(pre.players.find((p) => p.id === actor)!.hand[a.index], actor);
  if (a.type === 'spy') learn(pre.players.find((p) => p.id === a.userId)!.hand[a.index], actor);
  for (const id of post.discard) model.set(id, new Set(everyone));
}

function sameKnowledge(model: Model, s: CaboState): void {
  const fromModel: Record<string, PlayerId[]> = {};
  for (const [id, who] of model) if (who.size > 0) fromModel[String(id)] = [...who].sort();
  const fromState: Record<string, PlayerId[]> = {};
  for (const [id, who] of Object.entries(s.knowledge)) fromState[id] = who.slice().sort();
  assert.deepStrictEqual(fromState, fromModel, 'knowledge differs from the independent model');
}

function checkInvariants(s: CaboState): void {
  const places = [...s.deck, ...s.discard, ...s.players.flatMap((p) => p.hand), ...(s.drawn ? [s.drawn.cardId] : [])];
  assert.deepStrictEqual(places.sort((a, b) => a - b), ALL_IDS, '52 cards, each in exactly one place');
  for (const p of s.players) assert.equal(p.hand.length, 4);
  assert.equal(s.turn !== null, s.phase === 'turn');
  assert.equal(s.drawn !== null, s.turnPhase === 'drawn');
  assert.equal(s.pendingPower !== null, s.turnPhase === 'power');
  if (s.turn !== null) assert.ok(activePlayers(s).includes(s.turn), 'the turn player is active');
  if (s.drawn?.source !== 'discard') assert.ok(s.discard.length > 0, 'discard pile is never empty');
  if (s.phase === 'turn' && s.turnPhase === 'draw') assert.ok(s.deck.length > 0, 'a deck draw is always possible');
  for (const id of s.deck) assert.equal(s.knowledge[String(id)], undefined, `nobody knows deck card ${id}`);
  const revealed = s.phase === 'roundOver' || s.phase === 'matchOver';
  const top = s.discard.at(-1);
  if (!revealed) assert.deepStrictEqual(visibleCardIds(s, null), top === undefined ? [] : [top], 'spectator sees only the top');
  else assert.equal(visibleCardIds(s, null).length, s.players.length * 4 + (top === undefined ? 0 : 1));
  const deck = new Set(s.deck);
  for (const p of s.players) {
    assert.ok(visibleCardIds(s, p.id).every((id) => !deck.has(id)), `${p.id} sees no deck card`);
    const sum = s.rounds.reduce((acc, r) => acc + (r.scores[p.id] ?? 0), 0);
    assert.equal(p.total, sum, 'total = sum of round scores');
    if (!p.forfeited && s.phase !== 'matchOver') assert.ok(p.timeouts < 3, '3 timeouts forfeit');
  }
  if (activePlayers(s).length < 2) assert.equal(s.phase, 'matchOver');
  if (s.phase === 'matchOver') assert.deepStrictEqual([...s.ranking!].sort(), s.players.map((p) => p.id).sort());
}

/** Plays one seeded match, checking every step; returns the log and final state. */
function playMatch(seed: number): { log: LogEntry[]; final: CaboState; init: MatchInit; reshuffles: number } {
  const rng = new TestRandom(seed * 7919 + 1);
  const init = randomInit(rng, seed);
  // mostly short rounds; one match in eight plays long rounds so the deck runs out and reshuffles
  const turnCap = rng.int(8) === 0 ? 60 + rng.int(60) : 3 + rng.int(15);
  const sleepy = rng.int(4) === 0 ? init.players[rng.int(init.players.length)] : undefined;
  let s = deepFreeze(createMatch(init));
  const model: Model = new Map();
  for (const id of s.discard) model.set(id, new Set(init.players));
  const log: LogEntry[] = [];
  let turns = 0;
  let reshuffles = 0;
  checkInvariants(s);
  for (let step = 0; s.phase !== 'matchOver'; step++) {
    assert.ok(step < 5000, 'match terminates');
    if (rng.next() < 0.1) checkFuzz(s, fuzzStep(s, rng));
    const entry = nextStep(s, rng, turns, turnCap, sleepy);
    const result = apply(s, entry.playerId, entry.action);
    if (!result.ok) assert.fail(`seed ${seed} step ${step}: ${entry.playerId} ${JSON.stringify(entry.action)} → ${result.code}: ${result.message}`);
    for (const e of result.events) {
      if (e.type === 'turn_started') turns++;
      if (e.type === 'round_started') turns = 0;
      if (e.type === 'deck_reshuffled') reshuffles++;
    }
    updateModel(model, s, result.state, entry);
    s = deepFreeze(result.state);
    log.push(entry);
    checkInvariants(s);
    sameKnowledge(model, s);
  }
  return { log, final: s, init, reshuffles };
}

/** Any action is accepted exactly when legalActions lists it, and a rejection changes nothing. */
function checkFuzz(s: CaboState, entry: LogEntry): void {
  const listed = isListedIn(entry.action as CaboAction, legalActions(s, entry.playerId));
  const result = apply(s, entry.playerId, entry.action);
  assert.equal(result.ok, listed, `${entry.playerId} ${JSON.stringify(entry.action)} in phase ${s.phase}/${s.turnPhase}`);
}

describe('cabo property: random legal matches', function () {
  this.timeout(60_000);

  it(`${MATCHES} seeded matches keep every invariant and replay exactly`, () => {
    let steps = 0;
    let rounds = 0;
    let reshuffles = 0;
    const forfeits = { resign: 0, timeouts: 0, disconnect: 0 };
    for (let seed = 1; seed <= MATCHES; seed++) {
      const { log, final, init, reshuffles: reshuffled } = playMatch(seed);
      steps += log.length;
      rounds += final.rounds.length;
      const states = replay(init, log);
      assert.equal(states.length, log.length + 1);
      assert.deepStrictEqual(states[states.length - 1], final, `replay of seed ${seed}`);
      reshuffles += reshuffled;
      for (const entry of log) {
        if (entry.action.type === 'resign') forfeits.resign++;
        if (entry.action.type === 'forfeit') forfeits.disconnect++;
      }
      forfeits.timeouts += final.players.filter((p) => p.forfeited && p.timeouts >= 3).length;
    }
    // the generator must actually reach the interesting situations
    console.log(`      ${steps} steps, ${rounds} rounds, ${reshuffles} reshuffles, forfeits ${JSON.stringify(forfeits)}`);
    assert.ok(steps > MATCHES * 20, `steps ${steps}`);
    assert.ok(rounds > MATCHES, `rounds ${rounds}`);
    assert.ok(reshuffles > 50, `reshuffles ${reshuffles}`);
    assert.ok(forfeits.resign > 10 && forfeits.disconnect > 10 && forfeits.timeouts > 10, JSON.stringify(forfeits));
  });
});

import { strict as assert } from 'assert';
import { TestRandom, testSeed } from '../support/seeds';
import { replay } from '../../src/games/cabo';
import { archivedGame, startArena, type TestArena } from '../support/arena';
import { botStep, caboTable, KnowledgeAudit, match, play, simulate, startMatch, type Simulation } from '../support/caboTable';

const TARGET = 50;
const BOT_SEED = 7;
const CABO_AFTER = 8;

/** A deal where the bot's match lasts 2–3 rounds, uses every power and stays short. */
function pickSeed(): { seed: number; sim: Simulation } {
  for (let seed = 1; seed < 5000; seed++) {
    const sim = simulate(seed, ['a', 'b', 'c', 'd'], TARGET, BOT_SEED, CABO_AFTER);
    if (sim.rounds >= 2 && sim.rounds <= 3 && sim.powers.size === 3 && sim.actions <= 110) return { seed, sim };
  }
  throw new Error('no suitable seed');
}

describe('rooms: cabo match', () => {
  let arena: TestArena;
  before(async () => {
    arena = await startArena();
  });
  after(() => arena.shutdown());
  afterEach(() => arena.colyseus.cleanup());

  it('plays a 4-player match to game_over; no client ever decodes a value its player does not know', async function () {
    this.timeout(30_000);
    const { seed, sim } = pickSeed();
    const table = await caboTable(arena, 4, { targetScore: TARGET, setupSeconds: 30, roundPauseSeconds: 1 }, { spectators: 1, seeds: [seed] });
    const audit = new KnowledgeAudit(table.server);
    for (const p of table.players) audit.watch(p.room, p.guest.user.id);
    audit.watch(table.spectators[0].room, null);

    await startMatch(table);
    const rng = new TestRandom(BOT_SEED);
    let draws = 0;
    let round = 1;
    const host = table.players[0];
    while (table.server.state.phase === 'playing') {
      const m = match(table);
      if (m.round !== round) {
        round = m.round;
        draws = 0;
      }
      const step = botStep(m, rng, draws, CABO_AFTER);
      if (!step) {
        // round over: the room deals the next round after roundPauseSeconds
        assert.equal(m.phase, 'roundOver');
        const roundOver = await host.probe.message('round_over', (r) => r.round === m.round);
        assert.ok(roundOver.nextRoundAt > 0);
        // hands are public now, for spectators too
        const spectatorState = table.spectators[0].room.state;
        const revealed = spectatorState.players.get(table.players[1].guest.user.id).hand.map((c: any) => c.value);
        assert.deepEqual(revealed, roundOver.hands[table.players[1].guest.user.id]);
        await host.probe.stateWhere((s) => s.round > m.round, 'next round dealt', 5000);
        continue;
      }
      if (step.action.type === 'draw') draws++;
      await play(table, step.playerId!, step.action);
    }

    // the same match as the engine alone would play it
    const final = match(table);
    assert.equal(final.phase, 'matchOver');
    assert.equal(final.rounds.length, sim.rounds);
    assert.deepEqual(
      final.rounds.map((r) => Object.values(r.scores)),
      sim.final.rounds.map((r) => Object.values(r.scores)),
    );

    // game_over to everyone, phase finished, ranking in state
    const over = await Promise.all([...table.players, ...table.spectators].map((s) => s.probe.message('game_over')));
    for (const message of over) {
      assert.deepEqual(message.ranking, final.ranking);
      assert.equal(message.rounds.length, final.rounds.length);
      assert.deepEqual(message.totals, Object.fromEntries(final.players.map((p) => [p.id, p.total])));
    }
    const state = await host.probe.stateWhere((s) => s.phase === 'finished' && s.ranking.length === 4);
    assert.deepEqual([...state.ranking], final.ranking);
    assert.equal(state.roundPhase, 'matchOver');
    assert.equal(state.turn, '');

    // archived with everything a replay needs
    const archived = await archivedGame(arena.baseUrl, host.guest.token, table.code);
    assert.deepEqual(archived.participants.map((p: any) => p.userId), table.players.map((p) => p.guest.user.id));
    assert.deepEqual(archived.result, { ranking: final.ranking, totals: Object.fromEntries(final.players.map((p) => [p.id, p.total])) });
    const record = archived.data;
    assert.equal(record.game, 'cabo');
    assert.equal(record.seed, testSeed(seed));
    assert.deepEqual(record.seats.map((s: any) => s.id), table.players.map((p) => p.guest.user.id));
    assert.deepEqual(record.seats.map((s: any) => s.name), table.players.map((p) => p.guest.user.name));
    assert.deepEqual(record.ranking, final.ranking);
    assert.equal(record.rounds.length, final.rounds.length);
    assert.ok(record.startedAt <= record.endedAt);
    assert.ok(record.actions.some((entry: any) => entry.playerId === null && entry.action.type === 'next_round'), 'system actions are logged');
    const states = replay({ seed: record.seed, players: record.seats.map((s: any) => s.id), targetScore: record.targetScore }, record.actions);
    assert.deepEqual(states[states.length - 1], final);

    // knowledge: checked on every patch of 4 players and a spectator
    audit.assertClean();
    assert.ok(audit.checks > 100, `only ${audit.checks} patches checked`);
  });
});

import { strict as assert } from 'assert';
import { cardValue, createMatch, legalActions, type CaboState as Match } from '../../src/games/cabo';
import { RECONNECT_GRACE_SECONDS } from '../../src/rooms/turnTimer';
import { GameRoom } from '../../src/rooms/GameRoom';
import { startArena, createRoom, joinRoom, rejected, serverState, type Seated, type TestArena } from '../support/arena';
import { Probe, dropConnection } from '../support/probe';
import { testSeed } from '../support/seeds';
import { useManualTime, useRealTime } from '../support/clock';
import {
  caboTable,
  clientProjection,
  decodedValues,
  expectedProjection,
  match,
  play,
  readyAll,
  startMatch,
  type CaboTable,
} from '../support/caboTable';

/** First seed whose fresh deal (for `players` seats) satisfies `pred`. */
function seedWhere(players: number, pred: (m: Match) => boolean): number {
  const ids = Array.from({ length: players }, (_, i) => `p${i}`);
  for (let seed = 1; seed < 100_000; seed++) if (pred(createMatch({ seed: testSeed(seed), players: ids }))) return seed;
  throw new Error('no seed found');
}
const deckTopValue = (m: Match) => cardValue(m.deck[m.deck.length - 1]);

/** The player to move calls cabo; everyone else draws and swaps once: the round is over. */
async function callCaboAndFinishRound(table: CaboTable, act: (playerId: string | null, action: any) => Promise<void>): Promise<void> {
  await act(match(table).turn, { type: 'cabo' });
  while (match(table).phase === 'turn') {
    const turn = match(table).turn!;
    await act(turn, legalActions(match(table), turn).find((a) => a.type === 'draw')!);
    await act(turn, { type: 'swap', index: 0 });
  }
  assert.equal(match(table).phase, 'roundOver');
}

describe('rooms: cabo', () => {
  let arena: TestArena;
  before(async () => {
    arena = await startArena();
  });
  after(() => arena.shutdown());
  afterEach(async () => {
    useRealTime(); // for the tests that moved their rooms' time by hand
    await arena.colyseus.cleanup();
  });

  const id = (seat: Seated) => seat.guest.user.id;
  /** What a refused move must leave as it was beside the room state: the rules state (the same object) and the action log. */
  const engine = (table: CaboTable) => ({ 'rules state': () => table.server.matchState, 'action log length': () => table.server.actionLog.length });

  /** Current view of `seat` compared with what its player may know on the server right now. */
  function assertViewMatches(table: CaboTable, state: any, viewer: string | null) {
    const m = match(table);
    const ids = m.players.map((p) => p.id);
    assert.deepEqual(clientProjection(state, ids), expectedProjection(m, viewer));
  }

  it('validates its options and publishes them in config', async () => {
    const host = await createRoom(arena, 'cabo');
    const config = host.room.state.config;
    assert.deepEqual(
      [config.setupSeconds, config.targetScore, config.roundPauseSeconds, config.maxPlayers, config.minPlayers, config.turnSeconds],
      [10, 100, 5, 4, 2, 30],
    );
    for (const bad of [{ setupSeconds: 0 }, { targetScore: 0 }, { roundPauseSeconds: 31 }, { maxPlayers: 7 }, { minPlayers: 1 }]) {
      await assert.rejects(arena.client(await arena.guest()).create('cabo', bad), /INVALID_OPTIONS/, JSON.stringify(bad));
    }
    host.room.send('configure', { targetScore: 50, setupSeconds: 5 });
    await host.probe.stateWhere((s) => s.config.targetScore === 50 && s.config.setupSeconds === 5);
  });

  it('setup: a player sees only their own cards 0 and 1, a spectator nothing; the timer ends setup', async () => {
    const time = useManualTime();
    const table = await caboTable(arena, 2, { setupSeconds: 1 }, { spectators: 1 });
    const [host, guest] = table.players;
    const spectator = table.spectators[0];
    const startedAt = time.now();
    await startMatch(table);
    const m = match(table);
    const hostState = await host.probe.stateWhere((s) => s.players.get(id(host)).hand.length === 4 && s.roundPhase === 'setup');
    const own = m.players[0].hand;
    assert.deepEqual(hostState.players.get(id(host)).hand.map((c: any) => c.value), [cardValue(own[0]), cardValue(own[1]), undefined, undefined]);
    assert.deepEqual(hostState.players.get(id(guest)).hand.map((c: any) => c.value), [undefined, undefined, undefined, undefined]);
    assert.equal(hostState.discardTop, cardValue(m.discard[0]));
    assert.equal(hostState.setupEndsAt, startedAt + 1000);
    assertViewMatches(table, guest.room.state, id(guest));
    assert.deepEqual(decodedValues(spectator.room.state), [], 'a spectator sees no card in setup');

    // opaque ids: random strings, distinct, never the engine's numeric card ids
    const ids = [...hostState.players.values()].flatMap((p: any) => p.hand.map((c: any) => c.id));
    assert.equal(new Set(ids).size, 8);
    for (const cardId of ids) assert.match(cardId, /^[A-Za-z0-9_-]{8}$/);

    // nobody sent ready: setupSeconds later the room ends setup and the first turn starts
    await time.advance(999);
    assert.equal(match(table).phase, 'setup', 'setup runs its full time');
    await time.advance(1);
    const turn = await host.probe.stateWhere((s) => s.roundPhase === 'turn', 'setup over');
    assert.equal(turn.lastAction.type, 'end_setup');
    assert.equal(turn.turn, id(host));
    assert.equal(turn.turnPhase, 'draw');
    assert.equal(turn.turnDeadline, startedAt + 1000 + turn.config.turnSeconds * 1000);
    assert.equal(turn.setupEndsAt, 0);
    assert.deepEqual(decodedValues(turn), [], 'cards 0 and 1 leave the view after setup');
    assertViewMatches(table, guest.room.state, id(guest));
  });

  it('rejects illegal moves with the rules’ codes and changes nothing', async () => {
    // a deal whose first deck card is a 9 or 10, so the host gets the spy power
    const seed = seedWhere(2, (m) => [9, 10].includes(deckTopValue(m)));
    const table = await caboTable(arena, 2, {}, { spectators: 1, seeds: [seed] });
    const [host, guest] = table.players;
    const spectator = table.spectators[0];
    const before = serverState(arena, table.code);
    const error = await host.probe.expectError('draw', { source: 'deck' });
    assert.equal(error.code, 'GAME_NOT_STARTED');
    assert.deepEqual(serverState(arena, table.code), before);

    await startMatch(table);
    await rejected(arena, host, 'draw', { source: 'deck' }, 'INVALID_ACTION', engine(table)); // still in setup
    await readyAll(table);
    assert.equal(match(table).turn, id(host));

    await rejected(arena, guest, 'draw', { source: 'deck' }, 'NOT_YOUR_TURN', engine(table));
    await rejected(arena, guest, 'cabo', {}, 'NOT_YOUR_TURN', engine(table));
    await rejected(arena, spectator, 'draw', { source: 'deck' }, 'NOT_A_PLAYER', engine(table));
    await rejected(arena, spectator, 'resign', {}, 'NOT_A_PLAYER', engine(table));
    for (const [type, payload] of [
      ['draw', { source: 'hand' }],
      ['draw', {}],
      ['draw', { source: 'deck', extra: 1 }],
      ['swap', { index: '1' }],
      ['swap', { index: 1.5 }],
      ['spy', { userId: 5, index: 0 }],
      ['blind_swap', { index: 0, userId: id(guest) }],
      ['ready', { now: true }],
    ] as Array<[string, unknown]>) {
      await rejected(arena, guest, type, payload, 'INVALID_MESSAGE', engine(table)); // checked before turn and access
    }
    await rejected(arena, host, 'timeout', { playerId: id(guest) }, 'UNKNOWN_MESSAGE', engine(table)); // system actions are not messages
    await rejected(arena, host, 'swap', { index: 0 }, 'INVALID_ACTION', engine(table)); // nothing drawn yet

    await play(table, id(host), { type: 'draw', source: 'deck' });
    await rejected(arena, host, 'swap', { index: 4 }, 'INVALID_ACTION', engine(table));
    await play(table, id(host), { type: 'discard' });
    assert.equal(match(table).pendingPower, 'spy');
    await rejected(arena, host, 'spy', { userId: id(host), index: 0 }, 'INVALID_ACTION', engine(table));
    await rejected(arena, host, 'spy', { userId: id(guest), index: 4 }, 'INVALID_ACTION', engine(table));
    await rejected(arena, host, 'spy', { userId: id(guest), index: -1 }, 'INVALID_ACTION', engine(table));
    await rejected(arena, host, 'spy', { userId: 'nobody', index: 0 }, 'INVALID_ACTION', engine(table));
    await rejected(arena, host, 'peek', { index: 0 }, 'INVALID_ACTION', engine(table)); // not the pending power

    await play(table, id(host), { type: 'spy', userId: id(guest), index: 2 });
    const spied = cardValue(match(table).players[1].hand[2]);
    const hostState = await host.probe.stateWhere((s) => s.players.get(id(guest)).hand[2].value !== undefined);
    assert.equal(hostState.players.get(id(guest)).hand[2].value, spied);
    const last = hostState.lastAction;
    assert.deepEqual([last.type, last.playerId, last.targetId, last.targetIndex, last.value], ['spy', id(host), id(guest), 2, -1]);
    await guest.probe.stateWhere((s) => s.lastAction.type === 'spy');
    assert.equal(guest.room.state.players.get(id(guest)).hand[2].value, undefined, 'the spied player does not learn it');
    await spectator.probe.stateWhere((s) => s.lastAction.type === 'spy');
    assert.deepEqual(decodedValues(spectator.room.state), []);
    assertViewMatches(table, host.room.state, id(host));
    assertViewMatches(table, guest.room.state, id(guest));
  });

  it('auto-plays a timed-out turn after a warning, and forfeits a player after 3 timeouts in a row', async () => {
    const time = useManualTime();
    const table = await caboTable(arena, 2, { turnSeconds: 2 });
    const [host, guest] = table.players;
    await startMatch(table);
    await readyAll(table);

    for (let timeouts = 1; timeouts <= 3; timeouts++) {
      // the host never acts: warned at 1 s left, auto-played at 0
      assert.equal(match(table).turn, id(host));
      assert.equal(table.server.state.turnDeadline, time.now() + 2000);
      const warned = guest.probe.count('turn_warning');
      await time.advance(1000);
      const warning = await guest.probe.message('turn_warning', () => guest.probe.count('turn_warning') > warned);
      assert.deepEqual(warning, { userId: id(host), secondsLeft: 1 });
      await time.advance(999);
      assert.equal(match(table).players.find((p) => p.id === id(host))!.timeouts, timeouts - 1, 'no auto-play before the deadline');
      await time.advance(1);
      const state = await guest.probe.stateWhere((s) => s.lastAction.type === 'timeout' && s.players.get(id(host)).timeouts === timeouts, `timeout ${timeouts}`);
      assert.equal(state.lastAction.playerId, id(host));
      assert.equal(state.lastAction.value, state.discardTop, 'the auto-discarded card is public');
      if (timeouts === 3) break;
      assert.equal(state.turn, id(guest));
      // the guest plays at once: draw, discard, skip any power
      await play(table, id(guest), { type: 'draw', source: 'deck' });
      await play(table, id(guest), { type: 'discard' });
      if (match(table).turnPhase === 'power') await play(table, id(guest), { type: 'skip_power' });
    }
    const over = await guest.probe.message('game_over');
    assert.deepEqual(over.ranking, [id(guest), id(host)]);
    const finished = await host.probe.stateWhere((s) => s.phase === 'finished');
    assert.equal(finished.players.get(id(host)).forfeited, true);
    assert.deepEqual(
      table.server.actionLog.filter((entry) => entry.action.type === 'timeout').map((entry) => entry.playerId),
      [null, null, null],
    );
  });

  it('resign forfeits at once; below two active players the match ends; rematch deals anew with the same seats', async () => {
    const table = await caboTable(arena, 3);
    const [host, second, third] = table.players;
    await startMatch(table);
    await readyAll(table);
    await play(table, id(host), { type: 'draw', source: 'deck' });
    const drawn = match(table).drawn!.cardId;
    await play(table, id(host), { type: 'resign' });
    let state = await second.probe.stateWhere((s) => s.lastAction.type === 'resign');
    assert.equal(state.players.get(id(host)).forfeited, true);
    assert.equal(state.discardTop, cardValue(drawn), 'the held card went face-up onto the discard');
    assert.equal(state.players.get(id(host)).drawn.id, '');
    assert.equal(state.turn, id(second));
    await rejected(arena, host, 'draw', { source: 'deck' }, 'INVALID_ACTION', engine(table)); // forfeited players cannot act

    await play(table, id(third), { type: 'resign' }); // out of turn: allowed
    const over = await host.probe.message('game_over');
    assert.deepEqual(over.ranking, [id(second), id(third), id(host)]);
    state = await host.probe.stateWhere((s) => s.phase === 'finished');
    assert.deepEqual(decodedValues(state).length, 12, 'hands are revealed at the end');
    await rejected(arena, second, 'draw', { source: 'deck' }, 'GAME_OVER', engine(table));
    await rejected(arena, second, 'rematch', {}, 'NOT_HOST', engine(table));

    const oldCommitment = state.seedCommitment;
    const oldIds = [...state.players.values()].flatMap((p: any) => p.hand.map((c: any) => c.id));
    host.room.send('rematch', {});
    state = await host.probe.stateWhere((s) => s.phase === 'playing' && s.roundPhase === 'setup' && s.ranking.length === 0);
    assert.equal(state.round, 1);
    assert.notEqual(state.seedCommitment, oldCommitment, 'a rematch deals from a new seed');
    assert.deepEqual(table.server.actionLog, []);
    assert.deepEqual(match(table).players.map((p) => p.id), [id(host), id(second), id(third)]);
    for (const p of state.players.values() as Iterable<any>) {
      assert.equal(p.forfeited, false);
      assert.equal(p.total, 0);
    }
    const newIds = [...state.players.values()].flatMap((p: any) => p.hand.map((c: any) => c.id));
    assert.ok(newIds.every((cardId) => !oldIds.includes(cardId)), 'fresh card ids');
    assertViewMatches(table, host.room.state, id(host));
    await readyAll(table);
  });

  it('a player dropping during their turn keeps seat and knowledge; reconnecting restores the view with a grace period', async () => {
    const table = await caboTable(arena, 2, { reconnectSeconds: 30 }, { spectators: 1 });
    const [host, guest] = table.players;
    await startMatch(table);
    await readyAll(table);
    await play(table, id(host), { type: 'draw', source: 'deck' });
    const drawnValue = cardValue(match(table).drawn!.cardId);
    assert.equal(host.room.state.players.get(id(host)).drawn.value, drawnValue);
    await guest.probe.stateWhere((s) => s.players.get(id(host)).drawn.id !== '');
    assert.equal(guest.room.state.players.get(id(host)).drawn.value, undefined, 'only the drawer sees the drawn card');

    const deadline = table.server.state.turnDeadline;
    const token = host.room.reconnectionToken;
    dropConnection(host.room);
    await guest.probe.stateWhere((s) => s.players.get(id(host)).connected === false, 'host away');
    const back = new Probe(await arena.client(host.guest).reconnect(token));
    const state = await back.stateWhere((s) => s.players?.get(id(host))?.connected === true && s.turnDeadline > deadline, 'back');
    assert.equal(state.turnDeadline, deadline + RECONNECT_GRACE_SECONDS * 1000);
    assert.equal(state.players.get(id(host)).drawn.value, drawnValue, 'view restored');
    assertViewMatches(table, state, id(host));

    // the turn goes on from the restored session
    const seq = table.server.state.lastAction.seq;
    back.room.send('discard', {});
    await back.stateWhere((s) => s.lastAction.seq > seq);
    assertViewMatches(table, back.room.state, id(host));
    const spectatorState = await table.spectators[0].probe.stateWhere((s) => s.lastAction.seq > seq);
    assertViewMatches(table, spectatorState, null);
  });

  it('a new session of the same user during setup sees their own cards 0 and 1 again', async () => {
    const table = await caboTable(arena, 2);
    const [, guest] = table.players;
    await startMatch(table);
    const again = await joinRoom(arena, table.code, {}, guest.guest);
    await guest.probe.left();
    const state = await again.probe.stateWhere((s) => s.players.get(id(guest)).hand[0]?.value !== undefined);
    assertViewMatches(table, state, id(guest));
    assert.equal(decodedValues(state).length, 2);
  });

  it('a player whose reconnection window expires forfeits through the rules', async () => {
    const table = await caboTable(arena, 3, { reconnectSeconds: 1 });
    const [host, , third] = table.players;
    await startMatch(table);
    await readyAll(table);
    dropConnection(third.room);
    const state = await host.probe.stateWhere((s) => s.players.get(id(third)).forfeited, 'third forfeited', 5000);
    assert.deepEqual([state.lastAction.type, state.lastAction.playerId], ['forfeit', id(third)]);
    assert.equal(state.phase, 'playing');
    const last = table.server.actionLog[table.server.actionLog.length - 1];
    assert.deepEqual({ playerId: last.playerId, action: last.action }, { playerId: null, action: { type: 'forfeit', playerId: id(third) } });
  });

  it('a player who leaves mid-match forfeits, and their seat is freed for the rematch', async () => {
    const table = await caboTable(arena, 3);
    const [host, second, third] = table.players;
    await startMatch(table);
    await readyAll(table);
    await third.room.leave(true);
    const state = await host.probe.stateWhere((s) => s.players.get(id(third))?.forfeited === true, 'third out');
    assert.equal(state.players.get(id(third)).connected, false);
    await play(table, id(second), { type: 'resign' });
    await host.probe.stateWhere((s) => s.phase === 'finished' && !s.players.has(id(third)), 'seat freed at the end');
    host.room.send('rematch', {});
    await host.probe.stateWhere((s) => s.phase === 'playing' && s.ranking.length === 0, 'rematch');
    assert.deepEqual([...host.room.state.players.keys()].sort(), [id(host), id(second)].sort());
    assert.deepEqual(table.server.actionLog, []);
  });

  it('quick match: joinOrCreate finds the open quick room and starts it when full', async () => {
    const first = await arena.client(await arena.guest()).joinOrCreate('cabo', { mode: 'quick', maxPlayers: 2 });
    const second = await arena.client(await arena.guest()).joinOrCreate('cabo', { mode: 'quick' });
    assert.equal(second.roomId, first.roomId);
    const probe = new Probe(first);
    await probe.stateWhere((s) => s.phase === 'playing' && s.roundPhase === 'setup', 'quick match started');
  });

  it('quick match: 40 concurrent joiners fill ten rooms of four, and none finds its room started', async () => {
    const guests = await Promise.all(Array.from({ length: 40 }, () => arena.guest()));
    const outcomes = await Promise.allSettled(guests.map((guest) => arena.client(guest).joinOrCreate('cabo', { mode: 'quick', maxPlayers: 4 })));
    const refused = outcomes.flatMap((outcome) => (outcome.status === 'rejected' ? [String(outcome.reason?.message)] : []));
    assert.deepEqual(refused, []);
    const perRoom = new Map<string, number>();
    for (const outcome of outcomes) if (outcome.status === 'fulfilled') perRoom.set(outcome.value.roomId, (perRoom.get(outcome.value.roomId) ?? 0) + 1);
    assert.deepEqual([...perRoom.values()], Array(10).fill(4));
  });

  it('quick match: a burst of concurrent joiners never loses a seat race (Colyseus would retry each loser after up to seconds)', async () => {
    const guests = await Promise.all(Array.from({ length: 24 }, () => arena.guest()));
    const refused: string[] = [];
    const reserve = GameRoom.prototype._reserveSeat;
    GameRoom.prototype._reserveSeat = async function (this: GameRoom<any>, ...args: Parameters<typeof reserve>) {
      const reserved = await reserve.apply(this, args);
      if (!reserved) refused.push(this.roomId);
      return reserved;
    };
    try {
      const rooms = await Promise.all(guests.map((guest) => arena.client(guest).joinOrCreate('cabo', { mode: 'quick', maxPlayers: 2 })));
      assert.equal(new Set(rooms.map((room) => room.roomId)).size, 12);
    } finally {
      GameRoom.prototype._reserveSeat = reserve;
    }
    assert.deepEqual(refused, []);
  });

  it('a round pause that falls due behind a forfeit ending the match is dropped, not refused', async () => {
    const time = useManualTime();
    const table = await caboTable(arena, 2, { roundPauseSeconds: 5 });
    await startMatch(table);
    const room = table.server as any;
    const act = (playerId: string | null, action: any): Promise<void> => room.commit(playerId, action);
    for (const p of match(table).players) await act(p.id, { type: 'ready' });
    await callCaboAndFinishRound(table, act);
    const refusals: unknown[] = [];
    const logger = arena.services.logger;
    const warn = logger.warn.bind(logger);
    logger.warn = ((...args: any[]) => void (args[1] === 'system action refused' ? refusals.push(args[0]) : (warn as (...values: unknown[]) => void)(...args))) as typeof logger.warn;
    // the journal holds the forfeit's write while the pause falls due behind it in the room's queue
    const storage = arena.services.storage;
    const commit = storage.commitJournal.bind(storage);
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let writes = 0;
    let holding!: () => void;
    const forfeitWaits = new Promise<void>((resolve) => (holding = resolve));
    storage.commitJournal = async (batch) => {
      writes++;
      holding();
      await held;
      return commit(batch);
    };
    try {
      void table.players[1].room.leave(true);
      await forfeitWaits;
      await time.advance(5_000);
      release();
      await table.players[0].probe.stateWhere((s) => s.phase === 'finished', 'the match ended by the forfeit');
      await table.players[0].probe.roundTrip();
    } finally {
      storage.commitJournal = commit;
      logger.warn = warn;
    }
    assert.ok(writes >= 1);
    assert.deepEqual(refusals, []);
  });

  it('card ids are opaque and fresh per round, and renewed when cards come back from a reshuffle', async () => {
    const table = await caboTable(arena, 2);
    await startMatch(table);
    const room = table.server as any;
    const act = (playerId: string | null, action: any): Promise<void> => room.commit(playerId, action);
    const slotIds = () => [...room.state.players.values()].flatMap((p: any) => p.hand.map((c: any) => c.id));
    const round1 = slotIds();
    for (const p of match(table).players) await act(p.id, { type: 'ready' });

    // deck-draw and discard until the deck is reshuffled, remembering each card's id when face-up
    const faceUpIds = new Map<number, string>();
    let reshuffled = false;
    let redrawn = 0;
    while (redrawn < 5) {
      const m = match(table);
      await act(m.turn, { type: 'draw', source: 'deck' });
      if (match(table).deck.length > m.deck.length) reshuffled = true;
      const drawn = match(table).drawn!.cardId;
      const drawnId = room.state.players.get(m.turn).drawn.id;
      assert.notEqual(drawnId, '');
      if (reshuffled && faceUpIds.has(drawn)) {
        assert.notEqual(drawnId, faceUpIds.get(drawn), 'a reshuffled card must not keep its old id');
        redrawn++;
      }
      await act(m.turn, { type: 'discard' });
      faceUpIds.set(drawn, room.state.discardTopId);
      if (match(table).turnPhase === 'power') await act(m.turn, { type: 'skip_power' });
    }
    for (const cardId of slotIds()) assert.doesNotMatch(cardId, /^\d+$/);

    // call cabo, finish the round, deal the next one: every id is new
    await callCaboAndFinishRound(table, act);
    const round1End = slotIds();
    await act(null, { type: 'next_round' });
    assert.equal(match(table).round, 2);
    const round2 = slotIds();
    assert.ok(round2.every((cardId) => !round1.includes(cardId) && !round1End.includes(cardId)));
  });
});

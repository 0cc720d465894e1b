import { strict as assert } from 'assert';
import { startArena, createRoom, joinRoom, rejected, type TestArena, type Seated } from '../support/arena';

/** Decoded log of a client, oldest first (undefined-safe: the log appears with its first visible entry). */
function logOf(seat: Seated): any[] {
  const log = (seat.room.state as any).log;
  return log ? [...log.values()].sort((a: any, b: any) => a.seq - b.seq) : [];
}

function lastEntry(seat: Seated, kind: string): any {
  return logOf(seat).filter((entry) => entry.kind === kind).at(-1);
}

describe('rooms: tabletop session', () => {
  let arena: TestArena;
  before(async () => {
    arena = await startArena();
  });
  after(() => arena.shutdown());
  afterEach(() => arena.colyseus.cleanup());

  /** GM (creator) plus `players` more seated players, everyone's state in sync. */
  async function table(players = 2, options: Record<string, unknown> = {}): Promise<Seated[]> {
    const gm = await createRoom(arena, 'tabletop', options);
    const seats = [gm];
    for (let i = 0; i < players; i++) seats.push(await joinRoom(arena, gm.room.roomId));
    const joins = players + 1;
    for (const seat of seats) await seat.probe.stateWhere(() => logOf(seat).filter((e) => e.kind === 'join').length === joins, 'join entries');
    return seats;
  }

  /** Sends a message and waits until `seat` sees a new entry of `kind`. */
  async function written(seat: Seated, type: string, payload: Record<string, unknown>, kind: string, observer = seat) {
    const before = logOf(observer).at(-1)?.seq ?? 0;
    seat.room.send(type, payload);
    await observer.probe.stateWhere(() => logOf(observer).some((entry) => entry.kind === kind && entry.seq > before), `${kind} entry`);
    return lastEntry(observer, kind);
  }

  it('is playing from creation: the creator is GM and host, chat works at once, joins are logged', async () => {
    const [gm, player] = await table(1);
    const state = gm.room.state as any;
    assert.equal(state.phase, 'playing');
    assert.equal(state.game, 'tabletop');
    assert.equal(state.config.maxPlayers, 8);
    assert.equal(state.config.minPlayers, 1);
    assert.equal(state.players.get(gm.guest.user.id).isGM, true);
    assert.equal(state.players.get(gm.guest.user.id).isHost, true);
    assert.equal(state.players.get(player.guest.user.id).isGM, false);
    assert.deepEqual(logOf(gm).map((e) => [e.kind, e.from]), [['join', gm.guest.user.id], ['join', player.guest.user.id]]);

    const chat = await written(player, 'chat', { text: '  Hello table  ' }, 'chat', gm);
    assert.deepEqual(
      { from: chat.from, name: chat.name, text: chat.text, isPrivate: chat.isPrivate },
      { from: player.guest.user.id, name: player.guest.user.name, text: 'Hello table', isPrivate: false },
    );
    assert.ok(Math.abs(chat.at - Date.now()) < 5000);
    assert.equal((await rejected(arena, gm, 'start', {}, 'GAME_ALREADY_STARTED')).code, 'GAME_ALREADY_STARTED');
  });

  it('makes the creator of an HTTP-created session its GM, even when someone else sits down first', async () => {
    const creator = await arena.guest('Keeper');
    const created = await arena.http('POST', '/api/rooms', { token: creator.token, body: { game: 'tabletop', maxPlayers: 12 } });
    assert.equal(created.status, 201);
    const early = await joinRoom(arena, created.body.code);
    const gm = await joinRoom(arena, created.body.code, {}, creator);
    const state = await early.probe.stateWhere((s: any) => s.players.get(creator.user.id)?.isGM === true, 'creator is GM');
    assert.equal(state.players.get(early.guest.user.id).isGM, false);
    assert.equal(state.config.maxPlayers, 12);
    await rejected(arena, early, 'narrate', { text: 'mine?' }, 'GM_ONLY');
    await written(gm, 'narrate', { text: 'Welcome.' }, 'narrate', early);
  });

  it('treats a gm-role user as GM too', async () => {
    const [gm] = await table(0);
    const second = await joinRoom(arena, gm.room.roomId, {}, await arena.guest('Referee', ['gm']));
    await gm.probe.stateWhere((s: any) => s.players.get(second.guest.user.id)?.isGM === true, 'second GM');
    const narration = await written(second, 'narrate', { text: 'The door creaks.' }, 'narrate', gm);
    assert.equal(narration.from, second.guest.user.id);
  });

  it('refuses narrate, set_turn_order and combat from a non-GM with GM_ONLY, changing nothing', async () => {
    const [gm, player] = await table(1);
    await rejected(arena, player, 'narrate', { text: 'I am the GM now' }, 'GM_ONLY');
    await rejected(arena, player, 'set_turn_order', { order: [player.guest.user.id] }, 'GM_ONLY');
    await rejected(arena, player, 'combat', { active: true }, 'GM_ONLY');
    await rejected(arena, player, 'set_character', { name: 'Puppet', userId: gm.guest.user.id }, 'GM_ONLY');
    const narration = await written(gm, 'narrate', { text: 'Night falls.' }, 'narrate', player);
    assert.equal(narration.text, 'Night falls.');
  });

  it('lets spectators read the public log but not write (NOT_A_PLAYER)', async () => {
    const [gm, player] = await table(1);
    await written(player, 'chat', { text: 'before the spectator' }, 'chat', gm);
    const spectator = await joinRoom(arena, gm.room.roomId, { spectate: true });
    assert.ok(logOf(spectator).some((entry) => entry.text === 'before the spectator'));
    const attempts: Array<[string, Record<string, unknown>]> = [
      ['chat', { text: 'hi' }],
      ['whisper', { to: gm.guest.user.id, text: 'psst' }],
      ['roll', { formula: '1d20' }],
      ['narrate', { text: 'x' }],
      ['action', { kind: 'wave' }],
      ['set_character', { name: 'Ghost' }],
      ['set_turn_order', { order: [] }],
      ['next_turn', {}],
      ['combat', { active: true }],
    ];
    for (const [type, payload] of attempts) await rejected(arena, spectator, type, payload, 'NOT_A_PLAYER');
    await written(gm, 'chat', { text: 'after' }, 'chat', spectator);
  });

  it('enforces text limits with INVALID_MESSAGE', async () => {
    const [gm, player] = await table(1);
    const max = await written(player, 'chat', { text: 'x'.repeat(500) }, 'chat', gm);
    assert.equal(max.text.length, 500);
    await rejected(arena, player, 'chat', { text: 'x'.repeat(501) }, 'INVALID_MESSAGE');
    await rejected(arena, player, 'chat', { text: '' }, 'INVALID_MESSAGE');
    await rejected(arena, player, 'chat', { text: '   ' }, 'INVALID_MESSAGE');
    await rejected(arena, player, 'chat', {}, 'INVALID_MESSAGE');
    await rejected(arena, player, 'chat', { text: 'hi', extra: 1 }, 'INVALID_MESSAGE');
    await rejected(arena, player, 'whisper', { to: gm.guest.user.id, text: 'x'.repeat(501) }, 'INVALID_MESSAGE');
    await rejected(arena, player, 'whisper', { to: gm.guest.user.id, text: '' }, 'INVALID_MESSAGE');
    await rejected(arena, player, 'whisper', { to: player.guest.user.id, text: 'me' }, 'INVALID_ACTION');
    await rejected(arena, player, 'whisper', { to: 'nobody', text: 'hello?' }, 'INVALID_ACTION');
    await written(gm, 'narrate', { text: 'x'.repeat(1000) }, 'narrate', player);
    await rejected(arena, gm, 'narrate', { text: 'x'.repeat(1001) }, 'INVALID_MESSAGE');
    await rejected(arena, player, 'roll', { formula: '1d6', label: 'x'.repeat(101) }, 'INVALID_MESSAGE');
    await rejected(arena, player, 'set_character', { name: 'x'.repeat(65) }, 'INVALID_MESSAGE');
    await rejected(arena, player, 'action', { kind: 'cast', details: 'x'.repeat(1000) }, 'INVALID_MESSAGE');
  });

  it('rolls on the server, storing every die with kept/dropped, and refuses bad formulas with INVALID_FORMULA', async () => {
    const [gm, player] = await table(1);
    const entry = await written(player, 'roll', { formula: '4d6kh3 + 1d4 - 2', label: 'Strength' }, 'roll', gm);
    assert.equal(entry.text, 'Strength');
    const rolled = entry.roll;
    assert.equal(rolled.formula, '4d6kh3+1d4-2');
    assert.equal(rolled.terms.length, 3);
    const [abilities, bonus, constant] = rolled.terms;
    assert.deepEqual([abilities.kind, abilities.count, abilities.sides, abilities.keep, abilities.keepCount], ['dice', 4, 6, 'highest', 3]);
    assert.equal(abilities.dice.length, 4);
    assert.deepEqual([...abilities.kept].filter(Boolean).length, 3);
    const dropped = abilities.dice[[...abilities.kept].indexOf(false)];
    assert.ok(abilities.dice.every((value: number) => value >= 1 && value <= 6 && value >= dropped));
    const keptSum = [...abilities.dice].reduce((sum: number, value: number, i: number) => sum + (abilities.kept[i] ? value : 0), 0);
    assert.equal(abilities.subtotal, keptSum);
    assert.deepEqual([bonus.kind, bonus.dice.length, bonus.kept[0]], ['dice', 1, true]);
    assert.deepEqual([constant.kind, constant.sign, constant.value, constant.subtotal], ['constant', -1, 2, -2]);
    assert.equal(rolled.modifier, -2);
    assert.equal(rolled.total, keptSum + bonus.dice[0] - 2);

    // The largest rolls (11 × 100 dice within the 100-character formula limit) sync whole, also to late joiners.
    const largest = Array(11).fill('100d1000').join('+');
    player.room.send('roll', { formula: largest });
    player.room.send('roll', { formula: largest, secret: true });
    player.room.send('roll', { formula: largest });
    await gm.probe.stateWhere(() => logOf(gm).some((e) => e.seq === entry.seq + 3), 'all three large rolls');
    const big = lastEntry(gm, 'roll');
    assert.deepEqual([big.seq, big.roll.formula], [entry.seq + 3, largest]);
    const late = await joinRoom(arena, gm.room.roomId, { spectate: true });
    const seen = logOf(late).filter((e) => e.kind === 'roll' && e.roll.formula === largest);
    assert.equal(seen.length, 2, 'the spectator sees both public rolls, not the secret one');
    for (const e of seen) assert.deepEqual(e.roll.terms.map((term: any) => [term.dice.length, term.kept.length]), Array(11).fill([100, 100]));

    for (const formula of ['', '2d', 'd1', '1d6+', '101d6', '1d1001', '4d6kh5', 'abc', '2d6k1', '1d6'.padEnd(101, ' ')]) {
      const error = await rejected(arena, player, 'roll', { formula }, 'INVALID_FORMULA');
      assert.ok(error.message.length > 0);
    }
    await rejected(arena, player, 'roll', { formula: 20 }, 'INVALID_MESSAGE');
    await rejected(arena, player, 'roll', { formula: '1d6', secret: 'yes' }, 'INVALID_MESSAGE');
  });

  it('logs actions with JSON details and sets characters (own, or anyone by the GM)', async () => {
    const [gm, player] = await table(1);
    const action = await written(player, 'action', { kind: 'attack', details: { target: 'orc', weapon: 'axe' } }, 'action', gm);
    assert.deepEqual([action.text, JSON.parse(action.details)], ['attack', { target: 'orc', weapon: 'axe' }]);
    const bare = await written(player, 'action', { kind: 'dodge' }, 'action', gm);
    assert.equal(bare.details, '');

    const own = await written(player, 'set_character', { name: 'Brakka' }, 'character', gm);
    assert.deepEqual([own.from, own.to, own.text], [player.guest.user.id, player.guest.user.id, 'Brakka']);
    assert.equal((gm.room.state as any).players.get(player.guest.user.id).character, 'Brakka');
    await written(gm, 'set_character', { name: 'Brakka the Bold', userId: player.guest.user.id }, 'character', player);
    assert.equal((player.room.state as any).players.get(player.guest.user.id).character, 'Brakka the Bold');
    await rejected(arena, gm, 'set_character', { name: 'Nobody', userId: 'not-seated' }, 'INVALID_ACTION');
  });

  it('runs the turn order: seated ids only, no duplicates, next_turn by the current player or GM, wrapping, combat rounds', async () => {
    const [gm, a, b] = await table(2);
    const [gmId, aId, bId] = [gm, a, b].map((seat) => seat.guest.user.id);
    await rejected(arena, gm, 'set_turn_order', { order: [aId, 'stranger'] }, 'INVALID_ACTION');
    await rejected(arena, gm, 'set_turn_order', { order: [aId, bId, aId] }, 'INVALID_ACTION');
    await rejected(arena, gm, 'set_turn_order', { order: Array.from({ length: 13 }, (_, i) => `u${i}`) }, 'INVALID_MESSAGE');
    await rejected(arena, a, 'next_turn', {}, 'INVALID_ACTION');

    gm.room.send('set_turn_order', { order: [aId, bId] });
    let state = await b.probe.stateWhere((s: any) => s.turnOrder.length === 2 && s.turn === aId, 'order set');
    assert.deepEqual([[...state.turnOrder], state.turnIndex], [[aId, bId], 0]);
    assert.deepEqual(JSON.parse(lastEntry(b, 'turn_order').details), [aId, bId]);

    await rejected(arena, b, 'next_turn', {}, 'NOT_YOUR_TURN');
    a.room.send('next_turn', {});
    await b.probe.stateWhere((s: any) => s.turn === bId && s.turnIndex === 1, 'b has the turn');
    await rejected(arena, a, 'next_turn', {}, 'NOT_YOUR_TURN');
    gm.room.send('next_turn', {});
    await b.probe.stateWhere((s: any) => s.turn === aId && s.turnIndex === 0, 'wrapped to a');

    gm.room.send('combat', { active: true });
    state = await a.probe.stateWhere((s: any) => s.combat === true && s.combatRound === 1, 'combat');
    assert.equal(lastEntry(a, 'combat').text, 'start');
    await rejected(arena, gm, 'combat', { active: true }, 'INVALID_ACTION');
    a.room.send('next_turn', {});
    b.room.send('next_turn', {});
    await a.probe.stateWhere((s: any) => s.combatRound === 2 && s.turn === aId, 'round 2');
    gm.room.send('combat', { active: true, round: 7 });
    await a.probe.stateWhere((s: any) => s.combatRound === 7, 'round set');
    gm.room.send('combat', { active: false });
    await a.probe.stateWhere((s: any) => s.combat === false && s.combatRound === 0, 'combat over');
    await rejected(arena, gm, 'combat', { active: false }, 'INVALID_ACTION');

    // Whoever leaves the table leaves the order; the GM can still be put in it.
    gm.room.send('set_turn_order', { order: [bId, gmId, aId] });
    await a.probe.stateWhere((s: any) => s.turnOrder.length === 3 && s.turn === bId, 'new order');
    await b.room.leave(true);
    state = await a.probe.stateWhere((s: any) => s.turnOrder.length === 2, 'b removed from the order');
    assert.deepEqual([[...state.turnOrder], state.turn, state.turnIndex], [[gmId, aId], gmId, 0]);
  });

  it('frees the seat of a player who leaves, logs join/leave, and restores their character when they return', async () => {
    const [gm, player] = await table(1, { maxPlayers: 2 });
    const id = player.guest.user.id;
    await written(player, 'set_character', { name: 'Vex' }, 'character', gm);
    await player.room.leave(true);
    await gm.probe.stateWhere((s: any) => !s.players.has(id) && lastEntry(gm, 'leave')?.from === id, 'seat freed, leave logged');
    const leave = lastEntry(gm, 'leave');
    assert.deepEqual([leave.from, leave.name, leave.text], [id, player.guest.user.name, 'left']);

    const back = await joinRoom(arena, gm.room.roomId, {}, player.guest);
    const state = await gm.probe.stateWhere((s: any) => s.players.get(id)?.character === 'Vex', 'character restored');
    assert.equal(state.players.size, 2);
    assert.equal(lastEntry(gm, 'join').from, id);
    // The table is full again: a third player is refused.
    await assert.rejects(joinRoom(arena, gm.room.roomId), /ROOM_FULL/);
    await back.room.leave(true);
  });

  it('frees the seat of a kicked player', async () => {
    const [gm, player] = await table(1);
    gm.room.send('kick', { userId: player.guest.user.id });
    await gm.probe.stateWhere((s: any) => !s.players.has(player.guest.user.id) && lastEntry(gm, 'leave') !== undefined, 'kicked player gone, leave logged');
    assert.equal(lastEntry(gm, 'leave').text, 'kicked');
  });
});

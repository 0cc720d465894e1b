/**
 * Tabletop visibility: whispers and secret rolls reach only their audience — checked on the raw
 * WebSocket frames, on every received message and on the decoded state after every patch — plus
 * the 200-entry log cap and the archive handed over when the session closes.
 */
import { strict as assert } from 'assert';
import crypto from 'crypto';
import WebSocket from 'ws';
import { archivedGame, archivedGames, startArena, createRoom, joinRoom, serverState, type TestArena, type Seated } from '../support/arena';
import { Probe, dropConnection } from '../support/probe';
import { MAX_LOG_ENTRIES } from '../../src/games/tabletop/session';

function logOf(seat: Seated): any[] {
  const log = (seat.room.state as any).log;
  return log ? [...log.values()] : [];
}

function texts(seat: Seated): string[] {
  return logOf(seat).map((entry) => entry.text);
}

// ---- raw frames: every binary frame each client WebSocket receives, from its first one ---------

const frames = new WeakMap<object, Buffer[]>();
let restoreWebSocket: (() => void) | undefined;

function recordFrames(): () => void {
  const descriptor = Object.getOwnPropertyDescriptor(WebSocket.prototype, 'onmessage')!;
  Object.defineProperty(WebSocket.prototype, 'onmessage', {
    ...descriptor,
    set(this: WebSocket, handler: ((event: WebSocket.MessageEvent) => void) | null) {
      const received: Buffer[] = [];
      frames.set(this, received);
      descriptor.set!.call(this, handler && ((event: WebSocket.MessageEvent) => {
        received.push(Buffer.from(event.data as ArrayBuffer));
        handler.call(this, event);
      }));
    },
  });
  return () => Object.defineProperty(WebSocket.prototype, 'onmessage', descriptor);
}

function framesOf(seat: Seated): Buffer {
  const ws = (seat.room.connection.transport as unknown as { ws: object }).ws;
  const received = frames.get(ws);
  assert.ok(received && received.length > 0, 'frames are recorded');
  return Buffer.concat(received);
}

/** Checks a client's decoded log now and after every patch; `allowed` says which entries it may hold. */
class Witness {
  readonly violations: string[] = [];

  constructor(readonly seat: Seated, readonly label: string, readonly allowed: (entry: any) => boolean) {
    this.inspect('initial state');
    seat.room.onStateChange(() => this.inspect('patch'));
  }

  private inspect(when: string) {
    for (const entry of logOf(this.seat)) {
      if (entry?.kind === undefined || !this.allowed(entry)) this.violations.push(`${this.label}, ${when}: ${entry?.kind} ${JSON.stringify(entry?.text)}`);
    }
  }

  /** Every way `markers` could have reached this client. */
  leaks(markers: string[]): string[] {
    const found = [...this.violations];
    const bytes = framesOf(this.seat);
    const messages = JSON.stringify(this.seat.probe.messages);
    for (const marker of markers) {
      if (bytes.includes(Buffer.from(marker))) found.push(`${this.label}: ${marker} in a raw frame`);
      if (messages.includes(marker)) found.push(`${this.label}: ${marker} in a message`);
      if (JSON.stringify(logOf(this.seat)).includes(marker)) found.push(`${this.label}: ${marker} in state`);
    }
    return found;
  }
}

const marker = (what: string) => `${what}-${crypto.randomUUID()}`;

describe('rooms: tabletop privacy, log cap and archive', () => {
  let arena: TestArena;
  before(async () => {
    restoreWebSocket = recordFrames();
    arena = await startArena();
  });
  after(async () => {
    restoreWebSocket?.();
    await arena.shutdown();
  });
  afterEach(() => arena.colyseus.cleanup());

  async function synced(seats: Seated[], text: string) {
    for (const seat of seats) await seat.probe.stateWhere(() => texts(seat).includes(text), `${text} reached ${seat.guest.user.name}`);
  }

  it('whispers and secret rolls reach only sender/roller, target and GMs — never a third player or a spectator', async () => {
    const gm = await createRoom(arena, 'tabletop');
    const code = gm.room.roomId;
    const alice = await joinRoom(arena, code, {}, await arena.guest('Alice'));
    const bob = await joinRoom(arena, code, {}, await arena.guest('Bob'));
    const referee = await joinRoom(arena, code, {}, await arena.guest('Referee', ['gm']));
    const spectator = await joinRoom(arena, code, { spectate: true });
    const gmSpectator = await joinRoom(arena, code, { spectate: true }, await arena.guest('Lurker', ['gm']));
    const [gmId, aliceId, refereeId] = [gm, alice, referee].map((seat) => seat.guest.user.id);
    for (const seat of [gm, alice, bob, referee, spectator, gmSpectator]) {
      await seat.probe.stateWhere(() => logOf(seat).filter((entry) => entry.kind === 'join').length === 4, 'four joins');
    }

    const publicOnly = (entry: any) => entry.isPrivate === false;
    const witnesses = [new Witness(bob, 'third player', publicOnly), new Witness(spectator, 'spectator', publicOnly), new Witness(gmSpectator, 'gm-role spectator', publicOnly)];

    const toGm = marker('whisper-to-gm');
    const toAlice = marker('whisper-to-alice');
    const toReferee = marker('whisper-to-referee');
    const aliceSecret = marker('alice-secret-roll');
    const gmSecret = marker('gm-secret-roll');
    alice.room.send('whisper', { to: gmId, text: toGm });
    gm.room.send('whisper', { to: aliceId, text: toAlice });
    alice.room.send('roll', { formula: '3d6', label: aliceSecret, secret: true });
    gm.room.send('roll', { formula: '1d20+2', label: gmSecret, secret: true });
    alice.room.send('whisper', { to: refereeId, text: toReferee });
    bob.room.send('chat', { text: 'public after the secrets' });
    const markers = [toGm, toAlice, toReferee, aliceSecret, gmSecret];

    await synced([gm, alice, bob, referee, spectator, gmSpectator], 'public after the secrets');
    for (const seat of [gm, referee]) await synced([seat], gmSecret);
    await synced([alice], toReferee);

    for (const seat of [gm, referee]) for (const text of markers) assert.ok(texts(seat).includes(text), `a GM sees ${text}`);
    assert.deepEqual(markers.filter((text) => texts(alice).includes(text)), [toGm, toAlice, toReferee, aliceSecret]);
    const secretRoll = logOf(alice).find((entry) => entry.text === aliceSecret);
    assert.deepEqual([secretRoll.kind, secretRoll.isPrivate, secretRoll.roll.formula, secretRoll.roll.terms[0].dice.length], ['roll', true, '3d6', 3]);
    const whisper = logOf(gm).find((entry) => entry.text === toGm);
    assert.deepEqual([whisper.kind, whisper.from, whisper.to, whisper.isPrivate], ['whisper', aliceId, gmId, true]);

    // Late joiners, reconnections and new sessions get views rebuilt for who they are.
    const late = await joinRoom(arena, code);
    witnesses.push(new Witness(late, 'late player', publicOnly));
    const bobToken = bob.room.reconnectionToken;
    dropConnection(bob.room);
    await gm.probe.stateWhere((s: any) => s.players.get(bob.guest.user.id).connected === false, 'bob dropped');
    const bobBack: Seated = { guest: bob.guest, room: await arena.client(bob.guest).reconnect(bobToken), probe: undefined as never };
    bobBack.probe = new Probe(bobBack.room);
    await bobBack.probe.stateWhere(() => texts(bobBack).includes('public after the secrets'), 'bob restored');
    witnesses.push(new Witness(bobBack, 'reconnected third player', publicOnly));

    const aliceToken = alice.room.reconnectionToken;
    dropConnection(alice.room);
    await gm.probe.stateWhere((s: any) => s.players.get(aliceId).connected === false, 'alice dropped');
    const aliceBack = new Probe(await arena.client(alice.guest).reconnect(aliceToken));
    await aliceBack.stateWhere(() => aliceBack.room.state.log?.size > 0, 'alice restored');
    const aliceTexts = [...aliceBack.room.state.log.values()].map((entry: any) => entry.text);
    assert.deepEqual(markers.filter((text) => aliceTexts.includes(text)), [toGm, toAlice, toReferee, aliceSecret]);

    const lateGm = await joinRoom(arena, code, {}, await arena.guest('Second GM', ['gm']));
    // Their seat is a journaled action of the session: once it is, their view holds every private entry.
    await lateGm.probe.stateWhere(() => markers.every((text) => texts(lateGm).includes(text)), 'a GM joining later sees every private entry');

    bobBack.room.send('chat', { text: 'final sync' });
    await synced([bobBack, spectator, gmSpectator, late, lateGm], 'final sync');
    for (const witness of witnesses) assert.deepEqual(witness.leaks(markers), []);
    for (const witness of witnesses) assert.deepEqual(witness.seat.probe.messages, [], `${witness.label} got no messages`);
    // The server does hold every entry, each flagged private.
    const server = Object.values(serverState(arena, code).log as Record<string, any>);
    assert.equal(server.filter((entry) => entry.isPrivate).length, markers.length);
  });

  it('keeps the last 200 entries: the oldest drop for every client, private ones included', async () => {
    const gm = await createRoom(arena, 'tabletop', { maxPlayers: 12 });
    const code = gm.room.roomId;
    const players = [gm];
    for (let i = 1; i < 11; i++) players.push(await joinRoom(arena, code));
    const spectator = await joinRoom(arena, code, { spectate: true });
    const gmId = gm.guest.user.id;

    // 11 joins + 11 × 18 messages (within the rate limit's burst), every sixth one a whisper to the GM.
    const perPlayer = 18;
    players.forEach((seat, p) => {
      for (let i = 0; i < perPlayer; i++) {
        if (i % 6 === 5 && seat !== gm) seat.room.send('whisper', { to: gmId, text: `w-${p}-${i}` });
        else seat.room.send('chat', { text: `c-${p}-${i} ${'x'.repeat(400)}` });
      }
    });
    const written = 11 + 11 * perPlayer;
    await gm.probe.stateWhere(() => logOf(gm).at(-1)?.seq === written, 'every entry written', 10_000);
    const late = await joinRoom(arena, code);
    const total = written + 1;
    await gm.probe.stateWhere(() => logOf(gm).at(-1)?.seq === total, 'the late join logged');

    const server = Object.values(serverState(arena, code).log as Record<string, any>);
    assert.deepEqual(server.map((entry) => entry.seq), Array.from({ length: MAX_LOG_ENTRIES }, (_, i) => total - MAX_LOG_ENTRIES + 1 + i));
    const expected = (userId: string | undefined, isGM: boolean) =>
      server.filter((entry) => !entry.isPrivate || isGM || entry.from === userId || entry.to === userId).map((entry) => entry.seq);
    const viewers: Array<[Seated, boolean]> = [...players.map((seat): [Seated, boolean] => [seat, seat === gm]), [spectator, false], [late, false]];
    for (const [seat, isGM] of viewers) {
      const want = expected(seat === spectator ? undefined : seat.guest.user.id, isGM);
      await seat.probe.stateWhere(() => logOf(seat).at(-1)?.seq === total, `${seat.guest.user.name} caught up`);
      assert.deepEqual(logOf(seat).map((entry) => entry.seq), want, `${seat.guest.user.name}'s log, in order`);
    }
    assert.equal(logOf(gm).length, MAX_LOG_ENTRIES);
    assert.ok(logOf(spectator).length < MAX_LOG_ENTRIES, 'private entries count toward the cap');
    const joins = logOf(gm).filter((entry) => entry.kind === 'join').map((entry) => entry.from);
    assert.deepEqual(joins, [players[10].guest.user.id, late.guest.user.id], 'the oldest entries (early joins) are gone');
  });

  it('hands the whole log, private entries with their audience, to the archive when the session closes', async () => {
    const gm = await createRoom(arena, 'tabletop');
    const code = gm.room.roomId;
    const player = await joinRoom(arena, code);
    const spectator = await joinRoom(arena, code, { spectate: true });
    const [gmId, playerId] = [gm.guest.user.id, player.guest.user.id];
    player.room.send('set_character', { name: 'Ilsa' });
    player.room.send('whisper', { to: gmId, text: 'I pocket the gem' });
    player.room.send('roll', { formula: '1d20', label: 'sleight of hand', secret: true });
    await synced([gm], 'sleight of hand');
    gm.room.send('narrate', { text: 'Nobody noticed.' });
    await synced([player, spectator], 'Nobody noticed.');
    await player.room.leave(true);
    await gm.probe.stateWhere((s: any) => !s.players.has(playerId), 'player left');
    await gm.room.leave(true);
    await spectator.room.leave(true);
    // as the GM sees it: every private entry of this session has the GM in its audience
    const archived = await archivedGame(arena.baseUrl, gm.guest.token, code);
    assert.equal(archived.game, 'tabletop');
    assert.ok(archived.startedAt > 0 && archived.startedAt <= archived.endedAt);
    assert.deepEqual(archived.participants.map((p: any) => p.userId).sort(), [gmId, playerId].sort());
    const record = archived.data;
    assert.deepEqual(
      record.participants.map((p: any) => [p.id, p.isGM, p.character]).sort(),
      [[gmId, true, ''], [playerId, false, 'Ilsa']].sort(),
    );
    const log = record.log as any[];
    assert.deepEqual(log.map((entry) => entry.seq), log.map((_, i) => i + 1), 'every entry, none missing');
    assert.deepEqual(
      log.map((entry) => [entry.kind, entry.private]),
      [['join', false], ['join', false], ['character', false], ['whisper', true], ['roll', true], ['narrate', false], ['leave', false], ['leave', false]],
    );
    const [whisper, secret] = [log[3], log[4]];
    assert.deepEqual(whisper.audience, [gmId, playerId].sort());
    assert.deepEqual(secret.audience, [gmId, playerId].sort());
    assert.equal(secret.roll.terms[0].dice.length, 1);
    assert.equal(log[5].audience, 'everyone');
    const sessions = (await archivedGames(arena.baseUrl, gm.guest.token, { code })).filter((game) => game.code === code);
    assert.equal(sessions.length, 1, 'archived once');
  });
});

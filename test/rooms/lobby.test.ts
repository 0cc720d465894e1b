import { strict as assert } from 'assert';
import type { Room } from 'colyseus.js';
import { startArena, createRoom, joinRoom, type TestArena, type Guest } from '../support/arena';
import { Probe } from '../support/probe';
import { useManualTime, useRealTime, type ManualTime } from '../support/clock';

/** A lobby client's view of the listing, rebuilt from the "rooms", "+" and "-" messages received. */
class LobbyView {
  readonly probe: Probe;
  constructor(readonly room: Room) {
    this.probe = new Probe(room);
  }
  get rooms(): Map<string, any> {
    const rooms = new Map<string, any>();
    for (const { type, message } of this.probe.messages) {
      if (type === 'rooms') message.forEach((r: any) => rooms.set(r.roomId, r));
      if (type === '+') rooms.set(message[0], message[1]);
      if (type === '-') rooms.delete(message);
    }
    return rooms;
  }
  until(predicate: (rooms: Map<string, any>) => boolean, label: string) {
    return this.probe.until(() => predicate(this.rooms), label);
  }
}

describe('rooms: lobby listing and quick match', () => {
  let arena: TestArena;
  before(async () => {
    arena = await startArena();
  });
  after(() => arena.shutdown());
  afterEach(() => arena.colyseus.cleanup());

  async function lobby(): Promise<LobbyView> {
    const view = new LobbyView(await arena.client(await arena.guest()).joinOrCreate('lobby'));
    await view.probe.message('rooms');
    return view;
  }

  it('lists public rooms live with their metadata, never private ones', async () => {
    const view = await lobby();
    const open = await createRoom(arena, 'counter', { password: 'pw-pw' });
    const hidden = await createRoom(arena, 'counter', { private: true });
    await view.until((rooms) => rooms.get(open.room.roomId)?.metadata?.players === 1, 'room listed');
    const listed = view.rooms.get(open.room.roomId);
    assert.deepEqual(
      { ...listed.metadata },
      { game: 'counter', code: open.room.roomId, players: 1, maxPlayers: 4, spectators: 0, phase: 'waiting', hasPassword: true, hostName: open.guest.user.name, mode: 'custom' },
    );
    assert.ok(!JSON.stringify(listed).includes('pw-pw'));

    await joinRoom(arena, open.room.roomId, { password: 'pw-pw' });
    await view.until((rooms) => rooms.get(open.room.roomId)?.metadata.players === 2, 'player count updated');
    open.room.send('start', {});
    await view.until((rooms) => rooms.get(open.room.roomId)?.metadata.phase === 'playing', 'phase updated');
    assert.ok(!view.rooms.has(hidden.room.roomId), 'private room must not be listed');

    await arena.colyseus.getRoomById(open.room.roomId).disconnect();
    await view.until((rooms) => !rooms.has(open.room.roomId), 'disposed room removed');
  });

  it('a room turned private by configure leaves the listing', async () => {
    const view = await lobby();
    const host = await createRoom(arena, 'counter');
    await view.until((rooms) => rooms.has(host.room.roomId), 'listed');
    host.room.send('configure', { private: true });
    await view.until((rooms) => !rooms.has(host.room.roomId), 'unlisted');
  });

  async function quick(guest?: Guest, options: Record<string, unknown> = {}) {
    const identity = guest ?? (await arena.guest());
    const room = await arena.client(identity).joinOrCreate('counter', { mode: 'quick', countdownSeconds: 1, ...options });
    return { guest: identity, room, probe: new Probe(room) };
  }
  const serverPhase = (code: string) => arena.colyseus.getRoomById(code).state.phase;

  describe('quick-match countdown', () => {
    /** The time of the quick rooms: the countdowns run when the test advances it. */
    let time: ManualTime;
    beforeEach(() => {
      time = useManualTime();
    });
    afterEach(() => useRealTime());

    it('quick match puts players into one open room and starts after the countdown', async () => {
      const first = await quick();
      const second = await quick();
      assert.equal(second.room.roomId, first.room.roomId);
      const counting = await first.probe.stateWhere((s) => s.players.size === 2 && s.startsAt > 0, 'countdown');
      assert.equal(counting.startsAt, time.now() + 1000);
      await time.advance(999);
      assert.equal(serverPhase(first.room.roomId), 'waiting');
      await time.advance(1);
      await first.probe.stateWhere((s) => s.phase === 'playing', 'started by countdown');
      assert.equal(first.room.state.startsAt, 0);
    });

    it('each join resets the countdown, capped at three countdowns', async () => {
      const first = await quick(undefined, { countdownSeconds: 2, maxPlayers: 6 });
      const startedAt = time.now();
      await quick();
      await first.probe.stateWhere((s) => s.players.size === 2 && s.startsAt === startedAt + 2000, 'countdown');
      await time.advance(1500);
      await quick();
      await first.probe.stateWhere((s) => s.players.size === 3 && s.startsAt === startedAt + 3500, 'countdown reset');
      await time.advance(1500);
      await quick();
      await first.probe.stateWhere((s) => s.players.size === 4 && s.startsAt === startedAt + 5000, 'countdown reset again');
      await time.advance(1500);
      await quick();
      await first.probe.stateWhere((s) => s.players.size === 5 && s.startsAt === startedAt + 6000, 'capped at three countdowns from its start');
      await time.advance(1499);
      assert.equal(serverPhase(first.room.roomId), 'waiting');
      await time.advance(1);
      await first.probe.stateWhere((s) => s.phase === 'playing', 'started');
    });

    it('a full quick room starts at once, and the next quick player gets a new room', async () => {
      const first = await quick(undefined, { maxPlayers: 2, countdownSeconds: 30 });
      const second = await quick();
      await first.probe.stateWhere((s) => s.phase === 'playing', 'started when full');
      const third = await quick();
      assert.notEqual(third.room.roomId, first.room.roomId);
      assert.equal(second.room.roomId, first.room.roomId);
    });

    it('a quick room whose match is running is not matched even with free seats', async () => {
      const first = await quick(undefined, { countdownSeconds: 1 });
      await quick();
      await first.probe.stateWhere((s) => s.startsAt > 0, 'countdown');
      await time.advance(1000);
      await first.probe.stateWhere((s) => s.phase === 'playing', 'started');
      const late = await quick();
      assert.notEqual(late.room.roomId, first.room.roomId);
    });

    it('the countdown stops when players drop below minPlayers', async () => {
      const first = await quick(undefined, { countdownSeconds: 5 });
      const second = await quick();
      await first.probe.stateWhere((s) => s.startsAt > 0, 'countdown');
      await second.room.leave(true);
      await first.probe.stateWhere((s) => s.startsAt === 0 && s.players.size === 1, 'countdown cancelled');
      await time.advance(5000);
      await first.probe.roundTrip(); // queued after any start the countdown could have run
      assert.equal(serverPhase(first.room.roomId), 'waiting');
      assert.equal(first.room.state.phase, 'waiting');
    });
  });

  it('quick match never lands in custom or private rooms', async () => {
    const custom = await createRoom(arena, 'counter');
    const hidden = await createRoom(arena, 'counter', { private: true });
    const player = await quick();
    assert.notEqual(player.room.roomId, custom.room.roomId);
    assert.notEqual(player.room.roomId, hidden.room.roomId);
    assert.equal(player.room.state?.config?.mode ?? (await player.probe.stateWhere((s) => !!s.config)).config.mode, 'quick');
  });
});

import { strict as assert } from 'assert';
import { archivedGame, startArena, joinRoom, createRoom, type Guest, type TestArena, type Seated } from '../support/arena';
import { caboTable, match, play, playOut, readyAll, serverRoom, type CaboTable } from '../support/caboTable';
import { backends } from '../support/backends';

/** The same players, reconnected to a restored cabo room. */
async function rejoinTable(arena: TestArena, code: string, guests: Guest[]): Promise<CaboTable> {
  const players: Seated[] = [];
  for (const guest of guests) players.push(await joinRoom(arena, code, {}, guest));
  return { code, players, spectators: [], byId: new Map(players.map((p) => [p.guest.user.id, p])), server: serverRoom(arena, code) };
}

for (const backend of backends()) {
  describe(`persistence: restart without losing a match (${backend.name})`, function () {
    this.timeout(60_000);
    let first: TestArena | undefined;
    let second: TestArena | undefined;
    after(async () => {
      await second?.shutdown();
      await backend.cleanup();
    });

    it('restores running matches, waiting rooms and tabletop sessions under their codes; play goes on', async function () {
      first = await startArena(backend.settings(this));
      const table = await caboTable(first, 3, { targetScore: 10, setupSeconds: 30, roundPauseSeconds: 1, turnSeconds: 60 });
      table.players[0].room.send('start', {});
      await table.players[0].probe.stateWhere((s) => s.phase === 'playing');
      await readyAll(table);
      const turn = match(table).turn!;
      await play(table, turn, { type: 'draw', source: 'deck' });
      await play(table, turn, { type: 'discard' });
      if (match(table).turnPhase === 'power') await play(table, turn, { type: 'skip_power' });
      const before = match(table);
      const logBefore = table.server.actionLog.slice();
      const deadline = table.server.state.turnDeadline;
      const seenBefore = table.players.map((p) => JSON.stringify(p.room.state.players.get(p.guest.user.id).hand.map((c: any) => c.value ?? null)));

      const waiting = await createRoom(first, 'counter', { password: 'pw-123', maxPlayers: 3 });
      const session = await createRoom(first, 'tabletop');
      const member = await joinRoom(first, session.room.roomId);
      member.room.send('whisper', { to: session.guest.user.id, text: 'psst' });
      session.room.send('set_character', { name: 'Aria' });
      await session.probe.stateWhere((s) => s.players.get(session.guest.user.id)?.character === 'Aria' && [...(s.log?.values() ?? [])].some((e: any) => e.text === 'psst'));

      const guests = table.players.map((p) => p.guest);
      await first.shutdown({ keepData: true });
      const { dataDir, jwtSecret, databaseUrl, databaseSchema } = first.settings;
      second = await startArena({ dataDir, jwtSecret, databaseUrl, databaseSchema });

      // every room is back under its code
      for (const code of [table.code, waiting.room.roomId, session.room.roomId]) {
        assert.equal((await second.http('GET', `/api/rooms/${code}`)).status, 200, code);
      }
      const mine = await second.http('GET', '/api/me/rooms', { token: guests[0].token });
      assert.ok(mine.body.rooms.some((room: any) => room.code === table.code), 'seats are findable for auto-rejoin');

      // the match: same state, same knowledge, the deadline extended; it plays on to the end
      const restored = await rejoinTable(second, table.code, guests);
      assert.deepEqual(match(restored), before);
      assert.deepEqual(restored.server.actionLog, logBefore);
      assert.ok(restored.server.state.turnDeadline > deadline, 'turn deadline extended by the grace');
      for (const [i, seat] of restored.players.entries()) {
        await seat.probe.stateWhere((s) => s.players.get(seat.guest.user.id).connected, 'reconnected');
        const hand = JSON.stringify(seat.room.state.players.get(seat.guest.user.id).hand.map((c: any) => c.value ?? null));
        assert.equal(hand, seenBefore[i], 'the player knows exactly what they knew');
      }
      await playOut(restored);
      const archived = await archivedGame(second.baseUrl, guests[1].token, table.code);
      assert.deepEqual(archived.data.actions.slice(0, logBefore.length), logBefore, 'no action before the restart was lost');
      assert.deepEqual(archived.data.actions, restored.server.actionLog, 'every action of the match is archived, in order');

      // the waiting room keeps its password and host
      await assert.rejects(second.client(await second.guest()).joinById(waiting.room.roomId, { password: 'wrong' }), /WRONG_PASSWORD/);
      const host = await joinRoom(second, waiting.room.roomId, {}, waiting.guest);
      assert.equal(host.room.state.hostId, waiting.guest.user.id);

      // the session keeps its log (private entries for their audience) and characters
      const gm = await joinRoom(second, session.room.roomId, {}, session.guest);
      await gm.probe.stateWhere((s) => [...(s.log?.values() ?? [])].some((e: any) => e.text === 'psst'), 'whisper restored for the GM');
      assert.equal(gm.room.state.players.get(session.guest.user.id).character, 'Aria');
      const spectator = await joinRoom(second, session.room.roomId, { spectate: true });
      await spectator.probe.stateWhere((s) => s.players.size >= 1);
      assert.ok(![...(spectator.room.state.log?.values() ?? [])].some((e: any) => e.text === 'psst'));
    });
  });
}

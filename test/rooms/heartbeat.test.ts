/**
 * The WebSocket heartbeat pings every client once per interval but spread over it, never all
 * clients in one loop (which, with thousands of clients, stalled every room every third second),
 * and drops a client that stops answering.
 */
import { strict as assert } from 'assert';
import type { Room } from 'colyseus.js';
import { startArena, type TestArena } from '../support/arena';
import { PING_INTERVAL_MS, PING_MAX_MISSED } from '../../src/heartbeat';

describe('rooms: heartbeat', function () {
  this.timeout(20_000);
  let arena: TestArena;
  const rooms: Room[] = [];
  before(async () => {
    arena = await startArena();
  });
  after(async () => {
    await Promise.all(rooms.map((room) => room.leave().catch(() => undefined)));
    await arena.shutdown();
  });

  it('pings each of 40 clients (within two intervals of joining), spread over the interval rather than at once', async () => {
    const guests = await Promise.all(Array.from({ length: 40 }, () => arena.guest()));
    rooms.push(...(await Promise.all(guests.map((guest) => arena.client(guest).joinOrCreate('lobby')))));
    const connectedAt = Date.now();
    const firstPings = await Promise.all(
      rooms.map(
        (room) =>
          new Promise<number>((resolve, reject) => {
            const ws = (room.connection as any).transport.ws as import('ws').WebSocket;
            const timer = setTimeout(() => reject(new Error('no ping within two intervals')), PING_INTERVAL_MS * 2 + 500);
            ws.once('ping', () => {
              clearTimeout(timer);
              resolve(Date.now());
            });
          }),
      ),
    );
    const spreadMs = Math.max(...firstPings) - Math.min(...firstPings);
    assert.ok(spreadMs >= PING_INTERVAL_MS / 3, `the 40 first pings came within ${spreadMs} ms of each other`);
    assert.ok(Math.max(...firstPings) - connectedAt <= PING_INTERVAL_MS * 2 + 500, 'every client was pinged within two intervals');
  });

  it(`drops a client that leaves ${PING_MAX_MISSED} pings unanswered; one that answers stays`, async function () {
    this.timeout(PING_INTERVAL_MS * (PING_MAX_MISSED + 3));
    const [silent, answering] = await Promise.all([arena.guest(), arena.guest()].map(async (guest) => arena.client(await guest).joinOrCreate('lobby')));
    rooms.push(silent, answering);
    (silent.connection as any).transport.ws._autoPong = false; // ws answers pings by itself otherwise
    let answeringLeft = false;
    answering.onLeave(() => (answeringLeft = true));
    const startedAt = Date.now();
    const code = await new Promise<number>((resolve) => silent.onLeave(resolve));
    rooms.splice(rooms.indexOf(silent), 1); // closed: colyseus.js would wait forever for its leave
    const afterMs = Date.now() - startedAt;
    assert.equal(code, 1006, 'terminated (no close frame)');
    assert.ok(afterMs >= PING_INTERVAL_MS * (PING_MAX_MISSED - 1), `dropped after ${afterMs} ms`);
    assert.equal(answeringLeft, false, 'the client that answers is still connected');
  });
});

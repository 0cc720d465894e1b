/**
 * The WebSocket heartbeat pings every client once per interval but spread over it, never all
 * clients in one loop (which, with thousands of clients, stalled every room every third second).
 */
import { strict as assert } from 'assert';
import type { Room } from 'colyseus.js';
import { startArena, type TestArena } from '../support/arena';
import { PING_INTERVAL_MS } from '../../src/heartbeat';

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
});

import { strict as assert } from 'assert';
import { SpreadHeartbeat, PING_INTERVAL_MS, PING_MAX_MISSED, type PingedSocket } from '../../src/heartbeat';

class FakeSocket implements PingedSocket {
  pingCount = 0;
  readyState = 1;
  pings: number[] = [];
  terminated = false;
  constructor(private readonly clock: { tick: number }) {}
  ping() {
    this.pings.push(this.clock.tick);
  }
  terminate() {
    this.terminated = true;
  }
  pong() {
    this.pingCount = 0; // what Colyseus' transport does on every pong
  }
}

/** 30 ticks of 100 ms make one 3 s round. */
const TICKS = PING_INTERVAL_MS / 100;

function setUp(count: number) {
  const clock = { tick: 0 };
  const sockets = new Set<FakeSocket>(Array.from({ length: count }, () => new FakeSocket(clock)));
  const heartbeat = new SpreadHeartbeat(sockets, { setInterval: () => 0, clearInterval: () => {} });
  const run = (ticks: number) => {
    for (let i = 0; i < ticks; i++, clock.tick++) heartbeat.tick();
  };
  return { clock, sockets, heartbeat, run };
}

describe('units: SpreadHeartbeat', () => {
  it('pings every client once per interval, a few per tick: never all at once', () => {
    const { sockets, run, clock } = setUp(3000);
    const perTick = new Map<number, number>();
    run(TICKS);
    for (const socket of sockets) {
      assert.equal(socket.pings.length, 1);
      perTick.set(socket.pings[0], (perTick.get(socket.pings[0]) ?? 0) + 1);
      socket.pong();
    }
    assert.equal(perTick.size, TICKS, 'every tick pings some');
    assert.ok(Math.max(...perTick.values()) <= Math.ceil(3000 / TICKS), `at most ${Math.ceil(3000 / TICKS)} per tick`);
    run(TICKS);
    for (const socket of sockets) assert.deepEqual([socket.pings.length, socket.pings[1] - socket.pings[0]], [2, TICKS]);
    assert.equal(clock.tick, 2 * TICKS);
  });

  it('with a handful of clients, still once per interval (not once per tick)', () => {
    const { sockets, run } = setUp(2);
    for (let round = 0; round < 3; round++) {
      run(TICKS);
      for (const socket of sockets) socket.pong();
    }
    for (const socket of sockets) assert.deepEqual([socket.pings.length, socket.pings[1] - socket.pings[0]], [3, TICKS]);
  });

  it(`drops a client after ${PING_MAX_MISSED} unanswered pings, keeps one that answers`, () => {
    const { sockets, run } = setUp(2);
    const [silent, answering] = [...sockets];
    for (let round = 0; round < PING_MAX_MISSED + 1; round++) {
      run(TICKS);
      answering.pong();
    }
    assert.deepEqual([silent.terminated, silent.pings.length], [true, PING_MAX_MISSED]);
    assert.deepEqual([answering.terminated, answering.pings.length], [false, PING_MAX_MISSED + 1]);
  });

  it('skips a socket that closed during the round, and pings one that joined from the next round', () => {
    const { sockets, run, clock } = setUp(30);
    const [closing] = sockets;
    closing.readyState = 2;
    run(TICKS / 2);
    const late = new FakeSocket(clock);
    sockets.add(late);
    run(TICKS / 2);
    assert.deepEqual([closing.pings.length, late.pings.length], [0, 0]);
    run(TICKS);
    assert.equal(late.pings.length, 1);
  });
});

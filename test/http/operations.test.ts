import { strict as assert } from 'assert';
import { startArena, type TestArena } from '../support/arena';
import { version } from '../../package.json';

function metricValue(text: string, line: RegExp): number | undefined {
  const match = text.split('\n').find((row) => line.test(row));
  return match === undefined ? undefined : Number(match.split(' ').pop());
}

describe('http: operations', () => {
  let arena: TestArena;
  before(async () => {
    arena = await startArena();
  });
  after(() => arena.shutdown());

  it('GET /healthz reports version, uptime, rooms and clients', async () => {
    const reply = await arena.http('GET', '/healthz');
    assert.equal(reply.status, 200);
    assert.equal(reply.body.status, 'ok');
    assert.equal(reply.body.version, version);
    assert.equal(typeof reply.body.uptimeSeconds, 'number');
    assert.equal(reply.body.rooms, 0);
    assert.equal(reply.body.clients, 0);
  });

  it('GET /healthz counts a connected client and its room', async () => {
    const room = await arena.client(await arena.guest()).joinOrCreate('lobby');
    try {
      const reply = await arena.http('GET', '/healthz');
      assert.equal(reply.body.rooms, 1);
      assert.equal(reply.body.clients, 1);
    } finally {
      await room.leave();
    }
  });

  it('GET /metrics serves Prometheus text with process, room and client metrics', async () => {
    const room = await arena.client(await arena.guest()).joinOrCreate('lobby');
    try {
      const reply = await arena.http('GET', '/metrics');
      assert.equal(reply.status, 200);
      assert.match(reply.headers.get('content-type') ?? '', /^text\/plain/);
      const text = reply.body as string;
      assert.match(text, /^# HELP arena_process_process_cpu_user_seconds_total/m);
      assert.match(text, /^arena_process_nodejs_eventloop_lag_p99_seconds /m);
      assert.equal(metricValue(text, /^arena_rooms\{room="lobby"\}/), 1);
      assert.equal(metricValue(text, /^arena_clients\{room="lobby"\}/), 1);
      assert.match(text, /^# TYPE arena_messages_received_total counter/m);
      assert.match(text, /^# TYPE arena_message_duration_seconds histogram/m);
    } finally {
      await room.leave();
    }
  });

  it('counts errors sent by code', async () => {
    const before = (await arena.http('GET', '/metrics')).body as string;
    const prior = metricValue(before, /^arena_errors_sent_total\{code="UNAUTHORIZED"\}/) ?? 0;
    await arena.http('GET', '/api/auth/me');
    await arena.http('GET', '/api/auth/me', { token: 'nope' });
    const after = (await arena.http('GET', '/metrics')).body as string;
    assert.equal(metricValue(after, /^arena_errors_sent_total\{code="UNAUTHORIZED"\}/), prior + 2);
  });

  it('records HTTP latency by route pattern', async () => {
    await arena.http('GET', '/healthz');
    const text = (await arena.http('GET', '/metrics')).body as string;
    assert.match(text, /^arena_http_request_duration_seconds_count\{method="GET",route="\/healthz",status="200"\} \d+/m);
  });

  it('does not mount the monitor without MONITOR_PASSWORD', async () => {
    const reply = await arena.http('GET', '/colyseus/api');
    assert.equal(reply.status, 404);
  });
});

describe('http: monitor', () => {
  let arena: TestArena;
  const credentials = { user: 'ops', password: 'correct horse' };
  const basic = (user: string, password: string) => ({ authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}` });

  before(async () => {
    arena = await startArena({ monitor: credentials });
  });
  after(() => arena.shutdown());

  it('asks for credentials', async () => {
    const reply = await arena.http('GET', '/colyseus/api');
    assert.equal(reply.status, 401);
    assert.match(reply.headers.get('www-authenticate') ?? '', /^Basic/);
    assert.equal(reply.body.error.code, 'UNAUTHORIZED');
  });

  it('refuses a wrong password and a wrong user', async () => {
    assert.equal((await arena.http('GET', '/colyseus/api', { headers: basic('ops', 'wrong') })).status, 401);
    assert.equal((await arena.http('GET', '/colyseus/api', { headers: basic('admin', credentials.password) })).status, 401);
    assert.equal((await arena.http('GET', '/colyseus/', { headers: basic('ops', '') })).status, 401);
  });

  it('serves the dashboard and its API with the right credentials', async () => {
    const room = await arena.client(await arena.guest()).joinOrCreate('lobby');
    try {
      const api = await arena.http('GET', '/colyseus/api', { headers: basic('ops', credentials.password) });
      assert.equal(api.status, 200);
      assert.deepEqual(api.body.rooms.map((r: { name: string }) => r.name), ['lobby']);
      const page = await arena.http('GET', '/colyseus/', { headers: basic('ops', credentials.password) });
      assert.equal(page.status, 200);
      assert.match(page.body as string, /<html/i);
    } finally {
      await room.leave();
    }
  });
});

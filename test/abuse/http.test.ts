/**
 * Hostile HTTP: Colyseus' matchmaking routes get Arena's limits (token first, 16 kB bodies read
 * no further, exact routes, every method answered at once), and client mistakes get 4xx answers
 * in the error format, never a 500 or an error log line.
 */
import { strict as assert } from 'assert';
import http from 'http';
import zlib from 'zlib';
import { startArena, type TestArena } from '../support/arena';

interface RawReply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
  /** Request body bytes written before the answer arrived. */
  written: number;
}

/** A raw request that streams `bodyBytes` of body in 64 kB chunks and stops as soon as the server answers. */
function rawRequest(baseUrl: string, method: string, path: string, headers: Record<string, string>, bodyBytes = 0, chunk?: Buffer): Promise<RawReply> {
  return new Promise((resolve, reject) => {
    let written = 0;
    let answered = false;
    const request = http.request(`${baseUrl}${path}`, { method, headers }, (response) => {
      answered = true;
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (part) => (body += part));
      response.on('end', () => {
        request.destroy();
        resolve({ status: response.statusCode!, headers: response.headers, body, written });
      });
    });
    request.on('error', (error) => (answered ? undefined : reject(error)));
    const piece = chunk ?? Buffer.alloc(64 * 1024, 0x20);
    const pump = () => {
      while (!answered && written < bodyBytes) {
        written += piece.length;
        if (!request.write(piece)) return request.once('drain', pump);
      }
      if (!answered && written >= bodyBytes) request.end();
    };
    pump();
  });
}

describe('abuse: HTTP', function () {
  this.timeout(30_000);
  let arena: TestArena;
  let token: string;
  const errorLogs: unknown[] = [];
  before(async () => {
    arena = await startArena();
    token = (await arena.guest()).token;
    const logger = arena.services.logger;
    const error = logger.error.bind(logger);
    logger.error = ((...args: unknown[]) => {
      errorLogs.push(args);
      return (error as (...a: unknown[]) => void)(...args);
    }) as typeof logger.error;
  });
  after(() => arena.shutdown());

  it('matchmaking needs a valid token before any work (401)', async () => {
    const body = Buffer.from(JSON.stringify({ mode: 'quick' }));
    for (const headers of [{}, { authorization: 'Bearer forged.token.here' }] as Array<Record<string, string>>) {
      const reply = await rawRequest(arena.baseUrl, 'POST', '/matchmake/joinOrCreate/cabo', { ...headers, 'content-type': 'application/json', 'content-length': String(body.length) }, body.length, body);
      assert.equal(reply.status, 401);
      assert.deepEqual(JSON.parse(reply.body).code, 401);
      assert.match(JSON.parse(reply.body).error, /^UNAUTHORIZED: /);
    }
    assert.deepEqual((await arena.http('GET', '/api/rooms')).body.rooms, [], 'no room was created');
  });

  it('refuses matchmaking bodies over 16 kB (413) without reading them, token or not', async () => {
    const anonymous = await rawRequest(arena.baseUrl, 'POST', '/matchmake/joinOrCreate/cabo', { 'content-type': 'application/json', 'content-length': String(64 * 1024 * 1024) }, 64 * 1024 * 1024);
    assert.equal(anonymous.status, 413);
    assert.ok(anonymous.written < 8 * 1024 * 1024, `${anonymous.written} bytes were accepted before the refusal`);
    const auth = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    const declared = await rawRequest(arena.baseUrl, 'POST', '/matchmake/joinOrCreate/cabo', { ...auth, 'content-length': String(64 * 1024 * 1024) }, 64 * 1024 * 1024);
    assert.equal(declared.status, 413);
    assert.ok(declared.written < 8 * 1024 * 1024, `${declared.written} bytes were accepted before the refusal`);
    const chunked = await rawRequest(arena.baseUrl, 'POST', '/matchmake/joinOrCreate/cabo', { ...auth, 'transfer-encoding': 'chunked' }, 64 * 1024 * 1024);
    assert.equal(chunked.status, 413);
    assert.ok(chunked.written < 8 * 1024 * 1024, `${chunked.written} bytes were accepted before the refusal`);
  });

  it('answers every other method on matchmaking routes at once (405), and only exact routes are matchmaking', async () => {
    for (const method of ['GET', 'PUT', 'DELETE', 'HEAD', 'PATCH']) {
      const started = Date.now();
      const reply = await rawRequest(arena.baseUrl, method, '/matchmake/joinOrCreate/cabo', { authorization: `Bearer ${token}` });
      assert.equal(reply.status, 405, method);
      assert.match(String(reply.headers.allow), /POST/);
      assert.ok(Date.now() - started < 1000, `${method} took ${Date.now() - started} ms`);
    }
    assert.equal((await rawRequest(arena.baseUrl, 'POST', '/matchmake/dispose/cabo', { authorization: `Bearer ${token}` })).status, 404);
    assert.equal((await rawRequest(arena.baseUrl, 'POST', '/matchmake', { authorization: `Bearer ${token}` })).status, 404);
    assert.equal((await rawRequest(arena.baseUrl, 'GET', '/matchmake/', {})).status, 404);
    const health = await rawRequest(arena.baseUrl, 'GET', '/healthz?x=/matchmake', {});
    assert.equal(health.status, 200);
    assert.equal(JSON.parse(health.body).status, 'ok');
    const preflight = await rawRequest(arena.baseUrl, 'OPTIONS', '/matchmake/joinOrCreate/cabo', { origin: 'https://game.example', 'access-control-request-method': 'POST' });
    assert.equal(preflight.status, 204);
    assert.equal(preflight.headers['access-control-allow-origin'], 'https://game.example');
  });

  it('cuts off an upload that stalls (the request timeout of every route)', async () => {
    const started = Date.now();
    const outcome = await new Promise<string>((resolve) => {
      const request = http.request(`${arena.baseUrl}/api/auth/guest`, { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': '100' } }, (response) => {
        response.resume();
        response.on('end', () => resolve(`status ${response.statusCode}`));
      });
      request.on('error', () => resolve('closed'));
      request.write('{"name":'); // …and nothing more
    });
    const seconds = (Date.now() - started) / 1000;
    assert.ok(['status 503', 'status 408', 'closed'].includes(outcome), outcome);
    assert.ok(seconds >= 9 && seconds < 14, `cut off after ${seconds.toFixed(1)} s`);
  });

  it('keeps an idle keep-alive connection longer than Node clients keep theirs (5 s): a reused socket is never reset under a client', async () => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 }); // what Node 20's global agent does, colyseus.js included
    const get = () =>
      new Promise<{ status: number; reused: boolean; socket: import('net').Socket }>((resolve, reject) => {
        const request = http.get(`${arena.baseUrl}/healthz`, { agent }, (response) => {
          response.resume();
          response.on('end', () => resolve({ status: response.statusCode!, reused: request.reusedSocket, socket: request.socket! }));
        });
        request.on('error', reject);
      });
    const first = await get();
    // Node's client agent drops a free socket after 5 s; the server must not close it first
    const closedBy = await new Promise<string>((resolve) => {
      const timer = setTimeout(() => resolve('still open'), 6_000);
      first.socket.once('close', () => {
        clearTimeout(timer);
        resolve('closed by the server');
      });
    });
    assert.equal(closedBy, 'still open');
    const second = await get();
    assert.deepEqual([second.status, second.reused], [200, true]);
    agent.destroy();
  });

  it('still serves real matchmaking through colyseus.js', async () => {
    const room = await arena.client(await arena.guest()).joinOrCreate('cabo', { mode: 'quick' });
    assert.match(room.roomId, /^[A-Z2-9]{6}$/);
    await room.leave();
  });

  it('answers client mistakes with 4xx in the error format, never a 500 or an error log', async () => {
    errorLogs.length = 0;
    const cases: Array<[string, string, string, Record<string, string>, Buffer | undefined, number, string]> = [
      ['a malformed %-escape in a path', 'GET', '/api/rooms/%E0%A4%A', {}, undefined, 400, 'INVALID_REQUEST'],
      ['a malformed %-escape in a game id', 'GET', '/api/games/%%', {}, undefined, 400, 'INVALID_REQUEST'],
      ['Content-Encoding: br', 'POST', '/api/auth/guest', { 'content-type': 'application/json', 'content-encoding': 'br' }, zlib.brotliCompressSync('{"name":"Ann"}'), 415, 'UNSUPPORTED_MEDIA_TYPE'],
      ['bad gzip', 'POST', '/api/auth/guest', { 'content-type': 'application/json', 'content-encoding': 'gzip' }, Buffer.from('not gzip at all'), 400, 'INVALID_REQUEST'],
      ['charset=latin1', 'POST', '/api/auth/guest', { 'content-type': 'application/json; charset=latin1' }, Buffer.from('{"name":"Ann"}'), 415, 'UNSUPPORTED_MEDIA_TYPE'],
      ['a body that is not JSON', 'POST', '/api/auth/guest', { 'content-type': 'application/json' }, Buffer.from('{"name":'), 400, 'INVALID_REQUEST'],
    ];
    for (const [label, method, path, headers, body, status, code] of cases) {
      const reply = await rawRequest(arena.baseUrl, method, path, { ...headers, ...(body && { 'content-length': String(body.length) }) }, body?.length ?? 0, body);
      assert.equal(reply.status, status, `${label}: ${reply.body}`);
      assert.equal(JSON.parse(reply.body).error.code, code, label);
    }
    const gzip = zlib.gzipSync('{"name":"Ann"}');
    const fine = await rawRequest(arena.baseUrl, 'POST', '/api/auth/guest', { 'content-type': 'application/json', 'content-encoding': 'gzip', 'content-length': String(gzip.length) }, gzip.length, gzip);
    assert.equal(fine.status, 201, 'a well-formed gzip body is accepted');
    assert.deepEqual(errorLogs, [], 'client mistakes were logged as errors');
  });
});

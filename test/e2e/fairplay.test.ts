/**
 * Provably fair deals, checked as a player would: while a match runs, nothing the server sends
 * (frames, HTTP answers) or writes (logs, even with Colyseus' DEBUG output on) contains its seed
 * or any 16-byte slice of it; at the end `game_over` reveals the seed, it matches the commitment
 * published at the start, and `GET /api/games/:id/verify` replays it (and catches a forgery).
 */
import { strict as assert } from 'assert';
import crypto from 'crypto';
import fs from 'fs';
import path from 'path';
import BetterSqlite3 from 'better-sqlite3';
import { Client, type Room } from 'colyseus.js';
import { archivedGame, freePort, httpJson, tempDir } from '../support/arena';
import { startArenaProcess, type ArenaProcess } from '../support/process';
import { Probe } from '../support/probe';
import { drive, type Player } from '../support/caboClients';
import { captureFrames, findSecret, secretForms, type FrameCapture } from '../support/frames';

const MONITOR = { user: 'admin', password: 'monitor-pass-1' };
const ROOM_PASSWORD = 'table-password-77';

async function connect(url: string, token: string, code: string, options: Record<string, unknown> = {}): Promise<{ room: Room; probe: Probe }> {
  const client = new Client(url);
  client.auth.token = token;
  const room = await client.joinById(code, options);
  const probe = new Probe(room);
  await probe.stateWhere((s) => s.code === code, 'state');
  return { room, probe };
}

describe('e2e: provably fair deals', function () {
  this.timeout(60_000);
  let server: ArenaProcess | undefined;
  let capture: FrameCapture | undefined;
  const dataDir = tempDir('arena-fair-');
  after(async () => {
    capture?.stop();
    await server?.stop('SIGKILL');
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('keeps the seed secret while the match runs, reveals it at game_over, and verifies the archive', async () => {
    const port = await freePort();
    server = startArenaProcess({
      PORT: String(port),
      DATA_DIR: dataDir,
      LOG_LEVEL: 'trace',
      DEBUG: 'colyseus:*',
      MONITOR_USER: MONITOR.user,
      MONITOR_PASSWORD: MONITOR.password,
    });
    await server.waitUntilHealthy();
    const base = server.baseUrl;
    capture = captureFrames();
    const answers: string[] = [];
    const get = async (route: string, token?: string, headers?: Record<string, string>) => {
      const reply = await httpJson(base, 'GET', route, { token, headers });
      answers.push(typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body));
      return reply;
    };

    const [ann, bob] = await Promise.all(['Ann', 'Bob'].map(async (name) => (await httpJson(base, 'POST', '/api/auth/guest', { body: { name } })).body));
    const code = (await httpJson(base, 'POST', '/api/rooms', { token: ann.token, body: { game: 'cabo', targetScore: 1, setupSeconds: 60 } })).body.code;
    const url = `ws://127.0.0.1:${port}`;
    const players: Player[] = [];
    for (const identity of [ann, bob]) players.push({ token: identity.token, id: identity.user.id, ...(await connect(url, identity.token, code, { password: ROOM_PASSWORD })) });
    const [host] = players;
    host.room.send('configure', { password: ROOM_PASSWORD });
    await host.probe.stateWhere((s) => s.config.hasPassword, 'password set');
    host.room.send('start', {});
    const started = await host.probe.stateWhere((s) => s.phase === 'playing' && s.seedCommitment !== '', 'match started');
    const commitment: string = started.seedCommitment;
    assert.match(commitment, /^[0-9a-f]{64}$/);

    const auth = { authorization: `Basic ${Buffer.from(`${MONITOR.user}:${MONITOR.password}`).toString('base64')}` };
    const lookAround = async () => {
      await get('/api/rooms');
      await get(`/api/rooms/${code}`);
      await get('/api/me/rooms', bob.token);
      await get('/api/me/games', bob.token);
      await get('/healthz');
      await get('/metrics');
      await get('/colyseus/api', undefined, auth);
      assert.equal((await get(`/colyseus/api/room?roomId=${code}`, undefined, auth)).status, 200);
    };
    await lookAround();
    const acknowledged: Array<{ playerId: string; type: string }> = [];
    await drive(players, acknowledged, () => acknowledged.length >= 6);
    await lookAround();
    const logWhileRunning = server.output().length;
    await drive(players, acknowledged, () => false);
    const over = await host.probe.message('game_over');
    const framesWhileRunning = capture.frames.filter((frame) => !frame.bytes.includes(Buffer.from('game_over')));
    const logs = server.output().slice(0, logWhileRunning);

    // The reveal: 64 lowercase hex characters whose SHA-256 is the commitment.
    assert.match(over.seed, /^[0-9a-f]{64}$/);
    const seed = Buffer.from(over.seed, 'hex');
    assert.equal(crypto.createHash('sha256').update(seed).digest('hex'), commitment);

    // Nothing before it held the seed or any 16 bytes of it, in any usual encoding.
    const forms = secretForms(seed);
    assert.ok(framesWhileRunning.length > 20, `only ${framesWhileRunning.length} frames captured`);
    for (const frame of framesWhileRunning) assert.equal(findSecret(frame.bytes, forms), undefined, 'a frame carried the seed');
    for (const answer of answers) assert.equal(findSecret(answer, forms), undefined, `an HTTP answer carried the seed: ${answer.slice(0, 200)}`);
    assert.match(logs, /colyseus:matchmaking/, 'DEBUG output was on');
    assert.equal(findSecret(logs, forms), undefined, 'the log carried the seed');
    assert.ok(!logs.includes(ROOM_PASSWORD), 'the log carried the room password');
    assert.ok(!answers.some((answer) => answer.includes(ROOM_PASSWORD)), 'an HTTP answer carried the room password');

    // The archive keeps seed and commitment; verify replays it.
    const { id, data: record } = await archivedGame(base, ann.token, code);
    assert.equal(record.seed, over.seed);
    assert.equal(record.seedCommitment, commitment);
    assert.deepEqual((await httpJson(base, 'GET', `/api/games/${id}/verify`)).body, { commitmentMatches: true, replayMatches: true });

    // A forged record: one action changed, then the commitment.
    const database = new BetterSqlite3(path.join(dataDir, 'arena.sqlite'), { timeout: 5000 });
    try {
      const forge = (change: (data: any) => void) => {
        const data = JSON.parse((database.prepare('select data from archived_games where id = ?').get(id) as { data: string }).data);
        change(data);
        database.prepare('update archived_games set data = ? where id = ?').run(JSON.stringify(data), id);
      };
      forge((data) => {
        const swap = data.actions.find((entry: any) => entry.action.type === 'swap');
        const draw = data.actions.find((entry: any) => entry.action.type === 'draw');
        if (swap) swap.action.index = (swap.action.index + 1) % 4;
        else draw.action.source = draw.action.source === 'deck' ? 'discard' : 'deck';
      });
      assert.deepEqual((await httpJson(base, 'GET', `/api/games/${id}/verify`)).body, { commitmentMatches: true, replayMatches: false });
      forge((data) => (data.seedCommitment = crypto.createHash('sha256').update('another seed').digest('hex')));
      assert.equal((await httpJson(base, 'GET', `/api/games/${id}/verify`)).body.commitmentMatches, false);
    } finally {
      database.close();
    }
  });
});

import { strict as assert } from 'assert';
import fs from 'fs';
import path from 'path';
import { Client } from 'colyseus.js';
import { freePort, httpJson, tempDir } from '../support/arena';
import { startArenaProcess, type ArenaProcess } from '../support/process';

describe('e2e: the server process', function () {
  this.timeout(30_000);
  let dataDir: string;
  let server: ArenaProcess | undefined;

  beforeEach(() => {
    dataDir = tempDir('arena-e2e-');
  });
  afterEach(async () => {
    await server?.stop('SIGKILL');
    server = undefined;
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('serves /healthz with embedded defaults and exits 0 on SIGTERM', async () => {
    const port = await freePort();
    server = startArenaProcess({ PORT: String(port), DATA_DIR: dataDir });
    await server.waitUntilHealthy();
    const health = await httpJson(server.baseUrl, 'GET', '/healthz');
    assert.equal(health.body.status, 'ok');
    assert.ok(fs.existsSync(path.join(dataDir, 'jwt-secret')), 'a JWT secret is generated in DATA_DIR');
    assert.match(server.output(), /monitor disabled/);

    assert.equal(await server.stop('SIGTERM'), 0);
    assert.match(server.output(), /shutdown complete/);
  });

  it('closes client connections on SIGINT and exits 0', async () => {
    const port = await freePort();
    server = startArenaProcess({ PORT: String(port), DATA_DIR: dataDir });
    await server.waitUntilHealthy();
    const { body } = await httpJson(server.baseUrl, 'POST', '/api/auth/guest', { body: { name: 'Ann' } });
    const client = new Client(`ws://127.0.0.1:${port}`);
    client.auth.token = body.token;
    const lobby = await client.joinOrCreate('lobby');
    lobby.onMessage('*', () => {});
    const left = new Promise<number>((resolve) => lobby.onLeave(resolve));
    assert.equal(await server.stop('SIGINT'), 0);
    assert.ok((await left) >= 1000, 'the client is told the room closed');
  });

  it('ignores stray .env files: the environment it was given wins', async () => {
    const port = await freePort();
    const cwd = tempDir('arena-cwd-');
    const other = await freePort();
    fs.writeFileSync(path.join(cwd, '.env'), `PORT=${other}\nMONITOR_PASSWORD=from-dotenv-file\nLOG_LEVEL=silent\n`);
    try {
      server = startArenaProcess({ PORT: String(port), DATA_DIR: dataDir }, { cwd });
      await server.waitUntilHealthy();
      const monitor = await httpJson(server.baseUrl, 'GET', '/colyseus/api');
      assert.equal(monitor.status, 404, 'MONITOR_PASSWORD from .env must not mount the monitor');
      assert.match(server.output(), /Arena listening/, 'LOG_LEVEL from .env must not silence the logs');
    } finally {
      fs.rmSync(cwd, { recursive: true, force: true });
    }
  });

  it('refuses to start with an invalid variable and names it', async () => {
    server = startArenaProcess({ PORT: 'not-a-port', DATA_DIR: dataDir });
    assert.equal(await server.exited, 78);
    assert.match(server.output(), /PORT/);
  });

  it('keeps tokens and passwords out of its logs', async () => {
    const port = await freePort();
    const password = 'monitor-secret-pw';
    server = startArenaProcess({ PORT: String(port), DATA_DIR: dataDir, LOG_LEVEL: 'trace', MONITOR_PASSWORD: password });
    await server.waitUntilHealthy();
    const { body } = await httpJson(server.baseUrl, 'POST', '/api/auth/guest', { body: { name: 'Ann' } });
    await httpJson(server.baseUrl, 'GET', '/api/auth/me', { token: 'forged.token.value' });
    const client = new Client(`ws://127.0.0.1:${port}`);
    client.auth.token = body.token;
    const lobby = await client.joinOrCreate('lobby');
    lobby.onMessage('*', () => {});
    await lobby.leave();
    assert.equal(await server.stop('SIGTERM'), 0);
    const logs = server.output();
    assert.ok(logs.length > 0);
    assert.ok(!logs.includes(body.token), 'token leaked into logs');
    assert.ok(!logs.includes(password), 'monitor password leaked into logs');
    const secret = fs.readFileSync(path.join(dataDir, 'jwt-secret'), 'utf8').trim();
    assert.ok(!logs.includes(secret), 'JWT secret leaked into logs');
  });
});

/**
 * The production recipe (`npm ci && npm run build && npm prune --omit=dev && node dist/src/index.js`)
 * on a copy of the package: package.json, package-lock.json, dist/ and node_modules pruned of the
 * devDependencies (no sources, no tsx, esbuild or typescript), started with plain node from another
 * working directory. It must serve the web client, sign in a guest and host a room that a
 * colyseus.js client joins.
 *
 * Fast: dist/ is reused when it is newer than the sources (else rebuilt, as `npm start` does), and
 * node_modules is copied as hard links (`cp -al`) that `npm prune --offline` unlinks (no download,
 * and the package's own node_modules stays as it is).
 */
import { strict as assert } from 'assert';
import { execFile, spawn, type ChildProcess } from 'child_process';
import fs from 'fs';
import os from 'os';
import path from 'path';
import { promisify } from 'util';
import { Client, type Room } from 'colyseus.js';
import { freePort } from '../support/arena';

const ROOT = path.resolve(__dirname, '../..');
const exec = promisify(execFile);

/** devDependencies that must be gone from the pruned tree, and dependencies that must stay. */
const DEV_ONLY = ['tsx', 'esbuild', 'typescript', 'colyseus.js', 'mocha', '@colyseus/testing', 'playwright-core'];
const RUNTIME = ['@colyseus/core', '@colyseus/tools', '@colyseus/ws-transport', 'better-sqlite3', 'express'];

async function until<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('build: the compiled server in a tree pruned of devDependencies', function () {
  this.timeout(60_000);
  const temp: string[] = [];
  let pkg: string; // the pruned copy of the package
  let server: ChildProcess | undefined;
  let output = '';

  const tempDir = (prefix: string) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
    temp.push(dir);
    return dir;
  };

  before(async function () {
    this.timeout(120_000);
    // As npm start: build only when a source is newer than the last complete build.
    await exec(process.execPath, [path.join(ROOT, 'scripts/build.mjs'), '--if-stale'], { cwd: ROOT }).catch((error) => {
      throw new Error(`npm run build failed:\n${error.stdout}${error.stderr}`); // tsc reports on stdout
    });

    pkg = tempDir('arena-pruned-');
    for (const file of ['package.json', 'package-lock.json']) fs.copyFileSync(path.join(ROOT, file), path.join(pkg, file));
    fs.cpSync(path.join(ROOT, 'dist'), path.join(pkg, 'dist'), { recursive: true });
    try {
      await exec('cp', ['-al', path.join(ROOT, 'node_modules'), path.join(pkg, 'node_modules')]);
    } catch {
      // Another file system than the package's (no hard links across devices): a real copy.
      fs.rmSync(path.join(pkg, 'node_modules'), { recursive: true, force: true });
      await exec('cp', ['-a', path.join(ROOT, 'node_modules'), path.join(pkg, 'node_modules')]);
    }
    // npm rewrites its hidden lock file: a real copy, so the hard link never writes through to ours.
    const hiddenLock = path.join(pkg, 'node_modules/.package-lock.json');
    if (fs.existsSync(hiddenLock)) {
      fs.rmSync(hiddenLock);
      fs.copyFileSync(path.join(ROOT, 'node_modules/.package-lock.json'), hiddenLock);
    }
    await exec('npm', ['prune', '--omit=dev', '--offline', '--ignore-scripts', '--no-audit', '--no-fund'], {
      cwd: pkg,
      env: { ...process.env, npm_config_update_notifier: 'false' },
    });
  });

  after(async () => {
    if (server && server.exitCode === null && server.signalCode === null) {
      const exited = new Promise((resolve) => server!.once('exit', resolve));
      server.kill('SIGKILL');
      await exited;
    }
    for (const dir of temp) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('holds the compiled server and the runtime dependencies only', () => {
    assert.ok(fs.existsSync(path.join(pkg, 'dist/src/index.js')), 'dist/src/index.js');
    assert.ok(fs.existsSync(path.join(pkg, 'dist/web/index.html')), 'dist/web/index.html');
    assert.ok(!fs.existsSync(path.join(pkg, 'src')), 'no sources in the copy');
    for (const name of DEV_ONLY) {
      assert.ok(!fs.existsSync(path.join(pkg, 'node_modules', name)), `${name} is pruned`);
      assert.throws(() => require.resolve(name, { paths: [path.join(pkg, 'dist/src')] }), `${name} cannot be resolved from dist/`);
      assert.ok(fs.existsSync(path.join(ROOT, 'node_modules', name)), `${name} is still installed in the package itself`);
    }
    for (const name of RUNTIME) assert.ok(fs.existsSync(path.join(pkg, 'node_modules', name, 'package.json')), `${name} is kept`);
  });

  it('starts with node from another directory, serves the web client and a room a client joins', async () => {
    const cwd = tempDir('arena-cwd-');
    const port = await freePort();
    const baseUrl = `http://127.0.0.1:${port}`;
    // Only what an operator passes: no NODE_OPTIONS, no tsx, DATA_DIR relative to the working directory.
    server = spawn(process.execPath, [path.join(pkg, 'dist/src/index.js')], {
      cwd,
      env: { PATH: process.env.PATH ?? '', PORT: String(port), DATA_DIR: './data' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    server.stdout!.on('data', (chunk) => (output += chunk));
    server.stderr!.on('data', (chunk) => (output += chunk));
    const exited = new Promise<number | string>((resolve) => server!.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown')));

    const health = await until('/healthz', async () => {
      if (server!.exitCode !== null) throw new Error(`the server exited (${server!.exitCode}):\n${output}`);
      try {
        const reply = await fetch(`${baseUrl}/healthz`);
        return reply.status === 200 ? await reply.json() : undefined;
      } catch {
        return undefined; // not listening yet
      }
    });
    const { version } = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
    assert.equal(health.status, 'ok');
    assert.equal(health.version, version, 'the version comes from the package');
    assert.ok(fs.existsSync(path.join(cwd, 'data/jwt-secret')), 'DATA_DIR ./data is relative to the working directory');

    const page = await fetch(`${baseUrl}/`);
    assert.equal(page.status, 200, output);
    const html = await page.text();
    assert.match(html, /<title>Arena<\/title>/);
    const script = /src="(app\.js\?v=[0-9a-f]+)"/.exec(html);
    assert.ok(script, 'index.html links the hashed bundle');
    assert.equal((await fetch(`${baseUrl}/${script[1]}`)).status, 200);

    const guest = await fetch(`${baseUrl}/api/auth/guest`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Ann' }),
    });
    assert.equal(guest.status, 201);
    const { token } = await guest.json();
    const created = await fetch(`${baseUrl}/api/rooms`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ game: 'cabo' }),
    });
    assert.equal(created.status, 201);
    const { code } = await created.json();
    assert.match(code, /^[A-Z2-9]{6}$/);

    const client = new Client(`ws://127.0.0.1:${port}`);
    client.auth.token = token;
    const room: Room = await client.joinById(code);
    try {
      room.onMessage('*', () => {});
      assert.equal(await until('the room state', () => (room.state as { code?: string } | undefined)?.code || undefined), code);
    } finally {
      await room.leave();
    }

    server.kill('SIGTERM');
    assert.equal(await exited, 0, output);
    assert.match(output, /Arena listening/);
    assert.match(output, /shutdown complete/);
  });
});

import { strict as assert } from 'assert';
import fs from 'fs';
import path from 'path';
import { ConfigError, loadSettings } from '../src/config';
import { DEFAULT_LIMITS } from '../src/limits/userLimits';
import { tempDir } from './support/arena';

describe('config', () => {
  let dataDir: string;
  beforeEach(() => {
    dataDir = tempDir('arena-config-');
  });
  afterEach(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  it('uses the documented defaults', () => {
    const settings = loadSettings({ DATA_DIR: dataDir });
    assert.equal(settings.port, 2567);
    assert.equal(settings.logLevel, 'info');
    assert.equal(settings.monitor, undefined);
    assert.equal(settings.redisUrl, undefined);
    assert.equal(settings.databaseUrl, undefined);
    assert.equal(settings.dataDir, path.resolve(dataDir));
    assert.equal(settings.leaseSeconds, 30);
    assert.equal(settings.shutdownTimeoutSeconds, 10);
    assert.equal(settings.dataDirLockStaleSeconds, 10);
    assert.equal(settings.trustProxy, false, 'no proxy is trusted unless TRUST_PROXY says so');
    assert.deepEqual(settings.limits, DEFAULT_LIMITS);
    assert.deepEqual(
      [DEFAULT_LIMITS.maxOpenRoomsPerUser, DEFAULT_LIMITS.roomCreationsPerMinute, DEFAULT_LIMITS.maxConnectionsPerUser],
      [5, 10, 20],
    );
  });

  it('reads TRUST_PROXY as a hop count or a list of proxy addresses, and the per-user limits', () => {
    assert.equal(loadSettings({ DATA_DIR: dataDir, TRUST_PROXY: '1' }).trustProxy, 1);
    assert.deepEqual(loadSettings({ DATA_DIR: dataDir, TRUST_PROXY: 'loopback, 10.0.0.0/8,::1' }).trustProxy, ['loopback', '10.0.0.0/8', '::1']);
    const limits = loadSettings({ DATA_DIR: dataDir, MAX_OPEN_ROOMS_PER_USER: '2', ROOM_CREATIONS_PER_MINUTE: '30', MAX_CONNECTIONS_PER_USER: '4' }).limits;
    assert.deepEqual([limits.maxOpenRoomsPerUser, limits.roomCreationsPerMinute, limits.maxConnectionsPerUser], [2, 30, 4]);
  });

  it('treats empty values as unset', () => {
    const settings = loadSettings({ DATA_DIR: dataDir, PORT: '', REDIS_URL: '', MONITOR_PASSWORD: '' });
    assert.equal(settings.port, 2567);
    assert.equal(settings.redisUrl, undefined);
    assert.equal(settings.monitor, undefined);
  });

  it('reads every variable', () => {
    const settings = loadSettings({
      DATA_DIR: dataDir,
      PORT: '3000',
      JWT_SECRET: 'x'.repeat(40),
      MONITOR_PASSWORD: 'hunter22',
      REDIS_URL: 'redis://127.0.0.1:6379/2',
      DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/test',
      PUBLIC_ADDRESS: 'arena-1.example.com:443/p1',
      LOG_LEVEL: 'debug',
      LEASE_SECONDS: '45',
      SHUTDOWN_TIMEOUT_SECONDS: '3',
      DATA_DIR_LOCK_STALE_SECONDS: '2',
    });
    assert.equal(settings.port, 3000);
    assert.equal(settings.jwtSecret, 'x'.repeat(40));
    assert.equal(settings.jwtSecretGenerated, false);
    assert.deepEqual(settings.monitor, { user: 'admin', password: 'hunter22' });
    assert.equal(settings.redisUrl, 'redis://127.0.0.1:6379/2');
    assert.equal(settings.databaseUrl, 'postgres://postgres@127.0.0.1:5432/test');
    assert.equal(settings.publicAddress, 'arena-1.example.com:443/p1');
    assert.equal(settings.logLevel, 'debug');
    assert.equal(settings.databaseSchema, 'public');
    assert.equal(settings.leaseSeconds, 45);
    assert.equal(settings.shutdownTimeoutSeconds, 3);
    assert.equal(settings.dataDirLockStaleSeconds, 2);
  });

  it('reads integers written with leading zeros as decimal', () => {
    assert.equal(loadSettings({ DATA_DIR: dataDir, PORT: '08080' }).port, 8080);
  });

  const invalid: Array<[string, string]> = [
    ['PORT', 'abc'],
    ['PORT', '70000'],
    ['PORT', '12.5'],
    // Integers are decimal digits only: Number() would read every one of these.
    ['PORT', '0x1F90'],
    ['PORT', '1e3'],
    ['PORT', '0b11111'],
    ['PORT', '0o17620'],
    ['PORT', '+8080'],
    ['PORT', '-1'],
    ['PORT', ' 8080'],
    ['PORT', '8080 '],
    ['PORT', '8080.0'],
    ['PORT', '0'],
    ['PORT', '65536'],
    ['PORT', 'Infinity'],
    ['LEASE_SECONDS', '3e1'],
    ['LEASE_SECONDS', '0x1E'],
    ['LEASE_SECONDS', '30.0'],
    ['LEASE_SECONDS', '2'],
    ['SHUTDOWN_TIMEOUT_SECONDS', '1e1'],
    ['SHUTDOWN_TIMEOUT_SECONDS', '0'],
    ['SHUTDOWN_TIMEOUT_SECONDS', 'soon'],
    ['DATA_DIR_LOCK_STALE_SECONDS', '1'],
    ['DATA_DIR_LOCK_STALE_SECONDS', '0x0A'],
    ['JWT_SECRET', 'short'],
    ['MONITOR_PASSWORD', 'pw'],
    ['REDIS_URL', 'http://localhost:6379'],
    ['REDIS_URL', 'not a url'],
    ['DATABASE_URL', 'mysql://localhost/db'],
    ['PUBLIC_ADDRESS', 'http://x y'],
    ['LOG_LEVEL', 'loud'],
    ['DATABASE_SCHEMA', 'Robert"); drop'],
    ['TRUST_PROXY', 'everyone'],
    ['TRUST_PROXY', '10.0.0.300'],
    ['TRUST_PROXY', ','],
    ['MAX_OPEN_ROOMS_PER_USER', '0'],
    ['ROOM_CREATIONS_PER_MINUTE', '1e2'],
    ['MAX_CONNECTIONS_PER_USER', 'many'],
  ];
  for (const [name, value] of invalid) {
    it(`rejects ${name}=${JSON.stringify(value)} naming the variable`, () => {
      assert.throws(() => loadSettings({ DATA_DIR: dataDir, [name]: value }), (error: Error) => {
        assert.ok(error instanceof ConfigError);
        assert.match(error.message, new RegExp(`\\b${name}\\b`));
        return true;
      });
    });
  }

  it('rejects a DATA_DIR it cannot write', () => {
    const file = path.join(dataDir, 'file');
    fs.writeFileSync(file, '');
    assert.throws(() => loadSettings({ DATA_DIR: path.join(file, 'sub') }), /DATA_DIR/);
  });

  it('generates the JWT secret once and keeps it private in DATA_DIR', () => {
    const first = loadSettings({ DATA_DIR: dataDir });
    const second = loadSettings({ DATA_DIR: dataDir });
    assert.equal(first.jwtSecretGenerated, true);
    assert.ok(first.jwtSecret.length >= 32);
    assert.equal(second.jwtSecret, first.jwtSecret);
    const mode = fs.statSync(path.join(dataDir, 'jwt-secret')).mode & 0o777;
    assert.equal(mode, 0o600);
    const elsewhere = tempDir('arena-config-');
    try {
      assert.notEqual(loadSettings({ DATA_DIR: elsewhere }).jwtSecret, first.jwtSecret);
    } finally {
      fs.rmSync(elsewhere, { recursive: true, force: true });
    }
  });

  it('refuses a corrupt generated secret instead of silently replacing it', () => {
    fs.writeFileSync(path.join(dataDir, 'jwt-secret'), 'tiny');
    assert.throws(() => loadSettings({ DATA_DIR: dataDir }), /JWT_SECRET/);
  });
});

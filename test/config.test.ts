import { strict as assert } from 'assert';
import fs from 'fs';
import path from 'path';
import { ConfigError, loadSettings } from '../src/config';
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
  });

  const invalid: Array<[string, string]> = [
    ['PORT', 'abc'],
    ['PORT', '70000'],
    ['PORT', '12.5'],
    ['JWT_SECRET', 'short'],
    ['MONITOR_PASSWORD', 'pw'],
    ['REDIS_URL', 'http://localhost:6379'],
    ['REDIS_URL', 'not a url'],
    ['DATABASE_URL', 'mysql://localhost/db'],
    ['PUBLIC_ADDRESS', 'http://x y'],
    ['LOG_LEVEL', 'loud'],
    ['DATABASE_SCHEMA', 'Robert"); drop'],
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

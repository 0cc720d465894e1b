import { strict as assert } from 'assert';
import Redis from 'ioredis';
import { RedisDriver } from '@colyseus/redis-driver';
import { ArenaRedisDriver } from '../../src/matchmaking/redisDriver';
import { requireService } from '../support/services';

/** Redis database reserved for this suite. */
const REDIS_DB = 12;

describe('matchmaking: the Redis driver removes only a dead process’s own listings', () => {
  let url: string;
  let redis: Redis;

  before(async function () {
    const redisUrl = new URL(requireService(this, 'REDIS_URL'));
    redisUrl.pathname = `/${REDIS_DB}`;
    url = redisUrl.toString();
    redis = new Redis(url);
  });
  beforeEach(() => redis.flushdb());
  after(async () => {
    await redis?.flushdb();
    redis?.disconnect();
  });

  /** The dead process listed ABC123 and XYZ789; a survivor adopted ABC123 and listed it again since. */
  async function adoptedMeanwhile(): Promise<void> {
    await redis.hset('roomcaches', 'XYZ789', JSON.stringify({ roomId: 'XYZ789', name: 'cabo', processId: 'dead' }));
    await redis.hset('roomcaches', 'ABC123', JSON.stringify({ roomId: 'ABC123', name: 'cabo', processId: 'survivor' }));
    await redis.hset('roomcaches', 'KEEP01', JSON.stringify({ roomId: 'KEEP01', name: 'cabo', processId: 'survivor' }));
  }

  it('keeps a listing another process saved under the same room id', async () => {
    await adoptedMeanwhile();
    const driver = new ArenaRedisDriver(url);
    try {
      await driver.cleanup('dead');
      assert.deepEqual((await redis.hkeys('roomcaches')).sort(), ['ABC123', 'KEEP01']);
    } finally {
      await driver.shutdown();
    }
  });

  it('Colyseus’ own driver deletes by room id what it read before: an adopted room’s listing goes with it', async () => {
    await redis.hset('roomcaches', 'ABC123', JSON.stringify({ roomId: 'ABC123', name: 'cabo', processId: 'dead' }));
    const driver = new RedisDriver(url);
    try {
      const client = (driver as unknown as { _client: Redis })._client;
      const hdel = client.hdel.bind(client);
      // The survivor lists the adopted room between Colyseus' read and its delete.
      client.hdel = (async (...args: Parameters<Redis['hdel']>) => {
        await redis.hset('roomcaches', 'ABC123', JSON.stringify({ roomId: 'ABC123', name: 'cabo', processId: 'survivor' }));
        return hdel(...args);
      }) as Redis['hdel'];
      await driver.cleanup('dead');
      assert.deepEqual(await redis.hkeys('roomcaches'), [], 'the survivor’s listing is gone: the defect ArenaRedisDriver closes');
    } finally {
      await driver.shutdown();
    }
  });
});

/**
 * Colyseus' Redis driver, with one race closed. When a process is found dead (at another process's
 * start, or by a health check), Colyseus removes its listings: it reads the listings whose
 * `processId` is the dead one, then deletes those room ids. A room adopted by a survivor in
 * between is listed again under the same id (its code), by the survivor, and that delete removed
 * the survivor's listing: the adopted room vanished from `GET /api/rooms`, quick match and the
 * lobbies although it was still served. Here the check and the delete are one Lua script, so only
 * entries that still name the dead process go.
 */
import { RedisDriver } from '@colyseus/redis-driver';

/** The hash Colyseus' Redis driver keeps its listings in (`roomId` → listing JSON). */
const LISTINGS_KEY = 'roomcaches';

const REMOVE_LISTINGS_OF_PROCESS = `
local entries = redis.call('HGETALL', KEYS[1])
local removed = 0
for i = 1, #entries, 2 do
  local ok, listing = pcall(cjson.decode, entries[i + 1])
  if ok and type(listing) == 'table' and listing.processId == ARGV[1] then
    redis.call('HDEL', KEYS[1], entries[i])
    removed = removed + 1
  end
end
return removed`;

export class ArenaRedisDriver extends RedisDriver {
  override async cleanup(processId: string): Promise<void> {
    const client = (this as unknown as { _client: { eval(script: string, keys: number, ...args: string[]): Promise<unknown> } })._client;
    await client.eval(REMOVE_LISTINGS_OF_PROCESS, 1, LISTINGS_KEY, processId);
  }
}

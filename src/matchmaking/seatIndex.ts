/**
 * Which rooms a user holds a seat in, kept in presence (Redis when scaled out) so
 * `GET /api/me/rooms` answers across processes. Entries of rooms that no longer exist are
 * dropped when read.
 */
import type { Presence } from '@colyseus/core';

const key = (userId: string) => `arena:seats:${userId}`;

export const seatIndex = {
  async add(presence: Presence, userId: string, code: string): Promise<void> {
    await presence.sadd(key(userId), code);
  },
  async remove(presence: Presence, userId: string, code: string): Promise<void> {
    await presence.srem(key(userId), code);
  },
  async codes(presence: Presence, userId: string): Promise<string[]> {
    return (await presence.smembers(key(userId))) ?? [];
  },
};

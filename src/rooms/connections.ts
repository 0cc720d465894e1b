/**
 * A user's simultaneous connections (game rooms and the lobby, on every process) are limited:
 * a connection is counted from its join until its socket closes, and the join that would exceed
 * the limit is refused with `ServerError(429, "RATE_LIMITED: …")`.
 */
import type { Client, Presence } from '@colyseus/core';
import { joinRefusal } from './auth';
import type { UserLimits } from '../limits/userLimits';

const WS_CLOSED = 3;

export async function countedConnection(limits: UserLimits, presence: Presence, client: Client, userId: string | undefined, join: () => Promise<void>): Promise<void> {
  if (!userId) return join();
  try {
    await limits.connect(presence, userId);
  } catch (error) {
    throw joinRefusal(error);
  }
  const release = () => void limits.disconnect(presence, userId).catch(() => {});
  try {
    await join();
  } catch (error) {
    release();
    throw error;
  }
  const socket = client.ref as { readyState?: number; once(event: 'close', listener: () => void): void };
  if (socket.readyState === WS_CLOSED) release();
  else socket.once('close', release);
}

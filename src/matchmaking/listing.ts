/** Room listings: what a game room publishes, and the summaries the HTTP API reads (all processes). */
import { matchMaker, type IRoomCache } from '@colyseus/core';
import type { GameRegistry } from './registry';
import type { RoomMetadata, RoomSummary } from '../protocol/rooms';

export type { RoomMetadata, RoomSummary };

export function toSummary(room: IRoomCache): RoomSummary {
  const metadata = room.metadata as RoomMetadata;
  return { ...metadata, code: room.roomId, game: room.name, private: Boolean(room.private), createdAt: toIso(room.createdAt) };
}

function toIso(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  const date = new Date(value as string);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}

/** A game room by code, private ones too. */
export async function findRoom(games: GameRegistry, code: string): Promise<IRoomCache | undefined> {
  const [room] = await matchMaker.query({ roomId: code });
  return room && games.has(room.name) && room.metadata ? room : undefined;
}

/** Public game rooms, optionally of one game: open seats first, then newest. */
export async function listPublicRooms(games: GameRegistry, game?: string): Promise<RoomSummary[]> {
  const rooms = await matchMaker.query(game ? { private: false, name: game } : { private: false });
  const order = (room: RoomSummary) => (room.phase === 'waiting' ? 0 : room.phase === 'playing' ? 1 : 2);
  return rooms
    .filter((room) => games.has(room.name) && room.metadata)
    .map(toSummary)
    .sort((a, b) => order(a) - order(b) || (b.createdAt ?? '').localeCompare(a.createdAt ?? ''));
}

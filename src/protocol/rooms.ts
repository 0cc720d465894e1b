/**
 * What clients read about rooms besides their state: the phase values, the lobby listing's
 * metadata (published by src/rooms/RoomListing.ts), the `lobby` room's messages and the rooms
 * API's summaries. Type-only; the browser client imports these too.
 */

export type Phase = 'waiting' | 'playing' | 'finished';

/** Listing metadata a game room publishes (`RoomListing`): shown by the lobby and the rooms API. */
export interface RoomMetadata {
  game: string;
  code: string;
  players: number;
  maxPlayers: number;
  spectators: number;
  phase: Phase;
  hasPassword: boolean;
  hostName: string;
  mode: string;
}

/** What `GET /api/rooms`, `GET /api/rooms/:code` and `GET /api/me/rooms` return for one room. */
export interface RoomSummary extends RoomMetadata {
  private: boolean;
  createdAt?: string;
}

/** One room of the `lobby` room's listing: the fields clients read of Colyseus' room cache entry. */
export interface LobbyRoomEntry {
  roomId: string;
  /** The game (room name). */
  name: string;
  /** Absent until the room published its listing. */
  metadata?: RoomMetadata;
}

/** Server → client messages of the `lobby` room (Colyseus' LobbyRoom), besides `error` and `removed`. */
export interface LobbyMessages {
  /** The whole listing of public rooms, sent on join. */
  rooms: LobbyRoomEntry[];
  /** A room was listed or its listing changed. */
  '+': [roomId: string, room: LobbyRoomEntry];
  /** A room left the listing. */
  '-': string;
}

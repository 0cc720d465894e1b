/**
 * What clients read about rooms besides their state: the phase values, the lobby listing's
 * metadata and the rooms API's summaries. Type-only; the browser client imports these too.
 */

export type Phase = 'waiting' | 'playing' | 'finished';

/** Listing metadata a game room publishes: shown by the lobby and the rooms API. */
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

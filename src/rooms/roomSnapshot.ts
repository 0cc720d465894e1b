/**
 * The room's part of its durable record (the game's events are journalled beside it): what a
 * restarted or adopting server needs to rebuild the room with the same code, options, host and seats.
 */
import type { BaseRoomOptions } from './options';
import type { Phase } from './schema/GameState';
import type { SeatRecord } from './SeatRegistry';
import type { AccessSnapshot } from './AccessPolicy';

/** Extra time a restored room gives its players to come back (and adds to a running turn). */
export const RESTORE_GRACE_SECONDS = 30;

export interface RoomSnapshot<O = BaseRoomOptions> extends AccessSnapshot {
  version: 1;
  options: O;
  creatorId?: string;
  hostId: string;
  phase: Phase;
  seats: SeatRecord[];
  /** The game's own part (`gameSnapshot()`). */
  game: unknown;
}

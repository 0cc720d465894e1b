/** State shared by every game room (SPEC §4 "Common state"). Games extend `GameState`. */
import { Schema, MapSchema, type } from '@colyseus/schema';
import './wellFormedStrings'; // every room's state is a GameState: its strings are encoded well-formed
import './encodeCapacity'; // …and its encodes grow their buffers as they need
import './sharedHandshake'; // …and rooms of one state class share one handshake
import type { Phase } from '../../protocol/rooms';

export type { Phase };

export class PlayerState extends Schema {
  @type('string') id = '';
  @type('string') name = '';
  @type('uint8') seat = 0;
  @type('boolean') connected = true;
  @type('boolean') isHost = false;
}

/** Public configuration: never the password or the allow-lists themselves. */
export class RoomConfigState extends Schema {
  @type('uint8') maxPlayers = 0;
  @type('uint8') minPlayers = 0;
  @type('boolean') allowSpectators = true;
  @type('uint16') maxSpectators = 0;
  @type('uint16') turnSeconds = 0;
  @type('uint16') reconnectSeconds = 0;
  @type('uint32') idleSeconds = 0;
  @type('boolean') private = false;
  @type('boolean') hasPassword = false;
  /** True when `allowedUsers` or `allowedRoles` restrict who may join. */
  @type('boolean') restricted = false;
  @type('string') mode = 'custom';
}

export class GameState extends Schema {
  @type('string') code = '';
  @type('string') game = '';
  @type('string') phase: Phase = 'waiting';
  @type('string') hostId = '';
  @type({ map: PlayerState }) players = new MapSchema<PlayerState>();
  @type('uint16') spectatorCount = 0;
  /** Epoch ms of the last client message (1 s resolution). */
  @type('number') lastActivity = 0;
  /** Quick match: epoch ms when the match starts by itself; 0 when no countdown runs. */
  @type('number') startsAt = 0;
  /** Whose turn it is (user id), '' outside turns. */
  @type('string') turn = '';
  /** Epoch ms when the current turn times out; 0 when no turn timer runs. */
  @type('number') turnDeadline = 0;
  /**
   * Lowercase hex SHA-256 of the current match's 256-bit seed, published when the match starts
   * (the seed itself is revealed only when it ends: `game_over.seed`); '' before any match.
   */
  @type('string') seedCommitment = '';
}

/** What the base room needs of a game's state: the common fields plus a config. */
export type GameStateWithConfig = GameState & { config: RoomConfigState };

/**
 * The messages every game room understands (SPEC §4): `ping`, and the host's `configure`,
 * `start`, `rematch`, `kick` and `transfer_host`. Each checks its rule here and asks the room to
 * act; the dispatcher has already checked the payload and that the sender is the host.
 */
import { commonMessages, messageSchema } from '../protocol/messages';
import { ArenaError } from '../protocol/errors';
import type { Access, MessageContext } from './dispatcher';
import type { OptionSchemas } from './options';
import type { Phase } from './schema/GameState';
import type { z } from 'zod';

/** What the commands need of a room. */
export interface RoomControl {
  readonly phase: Phase;
  readonly seatedCount: number;
  readonly minPlayers: number;
  now(): number;
  isConnectedPlayer(userId: string): boolean;
  handle<S extends z.ZodTypeAny>(type: string, schema: S, access: Access, handler: (context: MessageContext, payload: z.infer<S>) => void | Promise<void>): void;
  configure(changes: Record<string, unknown>): Promise<void>;
  beginMatch(rematch: boolean): Promise<void>;
  kick(userId: string): void;
  setHost(userId: string): void;
}

export function registerHostCommands(room: RoomControl, optionSchemas: OptionSchemas): void {
  room.handle('ping', commonMessages.ping, 'any', ({ client }, { t }) => {
    client.send('pong', { t, serverTime: room.now() });
  });
  room.handle('configure', messageSchema(optionSchemas.configure.shape), 'host', (_context, changes) => {
    if (room.phase !== 'waiting') throw new ArenaError('GAME_ALREADY_STARTED', 'options can only change before the match');
    return room.configure(changes);
  });
  room.handle('start', commonMessages.start, 'host', async () => {
    if (room.phase !== 'waiting') throw new ArenaError('GAME_ALREADY_STARTED', 'the match has already started');
    requireEnoughPlayers(room);
    await room.beginMatch(false);
  });
  room.handle('rematch', commonMessages.rematch, 'host', async () => {
    if (room.phase === 'waiting') throw new ArenaError('GAME_NOT_STARTED', 'no match has been played yet');
    if (room.phase === 'playing') throw new ArenaError('GAME_ALREADY_STARTED', 'the match is still running');
    requireEnoughPlayers(room);
    await room.beginMatch(true);
  });
  room.handle('kick', commonMessages.kick, 'host', ({ userId: host }, { userId }) => {
    if (userId === host) throw new ArenaError('INVALID_ACTION', 'you cannot kick yourself');
    room.kick(userId);
  });
  room.handle('transfer_host', commonMessages.transfer_host, 'host', ({ userId: host }, { userId }) => {
    if (userId === host) throw new ArenaError('INVALID_ACTION', 'you are already the host');
    if (!room.isConnectedPlayer(userId)) throw new ArenaError('INVALID_ACTION', 'the new host must be a seated, connected player');
    room.setHost(userId);
  });
}

function requireEnoughPlayers(room: RoomControl): void {
  if (room.seatedCount < room.minPlayers) throw new ArenaError('NOT_ENOUGH_PLAYERS', `at least ${room.minPlayers} players are needed`);
}

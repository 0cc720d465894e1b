/**
 * The messages every game room understands (SPEC §4): `ping`, and the host's `configure`,
 * `start`, `rematch`, `kick` and `transfer_host`. Each checks its rule here and asks the room to
 * act; the dispatcher has already checked the payload and that the sender is the host.
 */
import { commonMessages, messageSchema } from '../protocol/messages';
import { ArenaError } from '../protocol/errors';
import type { Access, MessageContext } from './dispatcher';
import { describeZodError, type BaseRoomOptions, type OptionSchemas } from './options';
import type { SeatRegistry } from './SeatRegistry';
import type { AccessPolicy } from './AccessPolicy';
import type { Membership } from './Membership';
import type { RoomListing } from './RoomListing';
import type { Phase } from './schema/GameState';
import type { z } from 'zod';

/** What the commands need of a room. */
export interface RoomControl {
  readonly phase: Phase;
  readonly options: BaseRoomOptions;
  readonly seats: SeatRegistry;
  readonly access: AccessPolicy;
  now(): number;
  handle<S extends z.ZodTypeAny>(type: string, schema: S, access: Access, handler: (context: MessageContext, payload: z.infer<S>) => void | Promise<void>): void;
  /** New validated options (the password is already applied). */
  applyOptions(options: BaseRoomOptions): Promise<void>;
  beginMatch(rematch: boolean): Promise<void>;
  readonly members: Pick<Membership, 'kick' | 'setHost'>;
  readonly listed: Pick<RoomListing, 'seatsChanged' | 'changed'>;
}

export function registerHostCommands(room: RoomControl, optionSchemas: OptionSchemas): void {
  room.handle('ping', commonMessages.ping, 'any', ({ client }, { t }) => {
    client.send('pong', { t, serverTime: room.now() });
  });
  room.handle('configure', messageSchema(optionSchemas.configure.shape), 'host', (_context, changes) => {
    if (room.phase !== 'waiting') throw new ArenaError('GAME_ALREADY_STARTED', 'options can only change before the match');
    return configure(room, optionSchemas, changes);
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
    room.members.kick(userId);
  });
  room.handle('transfer_host', commonMessages.transfer_host, 'host', ({ userId: host }, { userId }) => {
    if (userId === host) throw new ArenaError('INVALID_ACTION', 'you are already the host');
    if (!room.seats.sessionOfSeat(userId)) throw new ArenaError('INVALID_ACTION', 'the new host must be a seated, connected player');
    room.members.setHost(userId);
    room.listed.changed();
  });
}

/** Throws GAME_NOT_STARTED / GAME_OVER unless a match is running (game messages need one). */
export function requirePlaying(phase: Phase): void {
  if (phase === 'waiting') throw new ArenaError('GAME_NOT_STARTED', 'the match has not started');
  if (phase === 'finished') throw new ArenaError('GAME_OVER', 'the match is over');
}

function requireEnoughPlayers(room: RoomControl): void {
  const { minPlayers } = room.options;
  if (room.seats.seatedCount < minPlayers) throw new ArenaError('NOT_ENOUGH_PLAYERS', `at least ${minPlayers} players are needed`);
}

/** New options, validated as a whole exactly like a create: a quick room stays open (no password, private or allow-lists). */
async function configure(room: RoomControl, optionSchemas: OptionSchemas, changes: Record<string, unknown>): Promise<void> {
  const { rid: _rid, password, ...rest } = changes;
  const merged = optionSchemas.create.safeParse({ ...room.options, ...rest, ...(typeof password === 'string' && { password }) });
  if (!merged.success) throw new ArenaError('INVALID_MESSAGE', describeZodError(merged.error));
  const { password: _checked, ...options } = merged.data as unknown as BaseRoomOptions & { password?: string };
  if (options.maxPlayers < room.seats.seatedCount) {
    throw new ArenaError('INVALID_ACTION', `${room.seats.seatedCount} players are seated; maxPlayers cannot be lower`);
  }
  await room.access.setPassword(password as string | null | undefined);
  await room.applyOptions(options);
  room.listed.seatsChanged(false); // e.g. minPlayers changed: the quick-match countdown follows
}

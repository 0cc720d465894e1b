/**
 * Every client message of a game room passes through here (after the frame gate has counted it
 * against its user's rate limit), in this order: activity → known type (UNKNOWN_MESSAGE) →
 * well-formed strings and payload schema (INVALID_MESSAGE) → access (NOT_HOST / NOT_A_PLAYER) →
 * handler. Any rejection is an `error` reply echoing the `rid`; a rejected message never reaches
 * a handler, so it cannot change state.
 */
import type { Client } from '@colyseus/core';
import type { z } from 'zod';
import { ArenaError, type ErrorCode } from '../protocol/errors';
import { extractRid } from '../protocol/messages';
import { illFormedPath } from '../protocol/text';
import { describeZodError } from './options';
import { errorsSent, messageDuration, messagesReceived } from '../metrics';
import type { Logger } from '../logger';

/** Who may send a message: anyone in the room, seated players only, or the host only. */
export type Access = 'any' | 'player' | 'host';

export interface MessageContext {
  client: Client;
  userId: string;
  role: 'player' | 'spectator';
}

/** What the dispatcher needs of its room. */
export interface DispatchingRoom {
  readonly roomName: string;
  readonly seats: {
    readonly hostId: string;
    member(sessionId: string): { userId: string; role: 'player' | 'spectator' } | undefined;
  };
  /** Activity resets the idle close. */
  readonly listed: { touch(): void };
  /** A queued task (message or timer work) finished, whatever its outcome: the patch goes out. */
  readonly roomClock: { requestPatch(): void };
  /** The room's clock: failed system tasks retry on it, and stop once it stops. */
  readonly clock: { readonly running: boolean; setTimeout(work: () => void, ms: number): unknown };
}

/** Failed system tasks are retried after 250 ms, doubling, at most every 5 s. */
const RETRY_MS = { first: 250, max: 5000 };

/** Replies to `client` with an `error` message (echoing `rid`), counted by code. */
export function sendError(client: Client, code: ErrorCode, message: string, rid?: string): void {
  errorsSent.inc({ code });
  client.send('error', rid === undefined ? { code, message } : { code, message, rid });
}

interface Registration {
  schema: z.ZodTypeAny;
  access: Access;
  handler: (context: MessageContext, payload: any) => void | Promise<void>;
}

export class MessageDispatcher {
  private readonly handlers = new Map<string, Registration>();
  /** Messages (and timer work) of one room run one after another, even when a handler awaits. */
  private tail: Promise<void> = Promise.resolve();

  constructor(
    private readonly room: DispatchingRoom,
    private readonly logger: () => Logger,
  ) {}

  /**
   * Runs `work` after everything already queued in this room. Handlers may await (e.g. storage)
   * without a second message seeing a half-applied state.
   */
  exclusive(work: () => void | Promise<void>): Promise<void> {
    const run = this.tail.then(work);
    this.tail = run.then(
      () => this.room.roomClock.requestPatch(),
      (error) => {
        this.logger().error({ err: error, room: this.room.roomName }, 'room task failed');
        this.room.roomClock.requestPatch();
      },
    );
    return run;
  }

  /**
   * Runs work the room does by itself (timers, seat changes, forfeits) in turn with its messages.
   * A rule's refusal (ArenaError) ends it; any other failure (storage down at a deadline) is
   * retried with backoff until it succeeds or the room closes, so a failed write never stalls a match.
   */
  system(work: () => void | Promise<void>, attempt = 0): void {
    this.exclusive(work).catch((error) => {
      if (error instanceof ArenaError || !this.room.clock.running) return;
      const delay = Math.min(RETRY_MS.max, RETRY_MS.first * 2 ** attempt);
      this.logger().warn({ err: error, room: this.room.roomName, attempt: attempt + 1, retryInMs: delay }, 'room task failed; retrying');
      this.room.clock.setTimeout(() => this.system(work, attempt + 1), delay);
    });
  }

  register(type: string, schema: z.ZodTypeAny, access: Access, handler: Registration['handler']): void {
    if (this.handlers.has(type)) throw new Error(`message type "${type}" registered twice`);
    this.handlers.set(type, { schema, access, handler });
  }

  /** Entry point for every client message (already admitted by the frame gate): handled in order. */
  dispatch(client: Client, type: unknown, payload: unknown): void {
    if (!this.room.seats.member(client.sessionId)) return; // not (or no longer) a member: replaced, kicked, mid-rejection
    this.room.listed.touch();
    void this.exclusive(() => this.handle(client, type, payload));
  }

  private async handle(client: Client, type: unknown, payload: unknown): Promise<void> {
    const session = this.room.seats.member(client.sessionId);
    if (!session) return; // left while the message waited its turn
    const rid = extractRid(payload);

    const registration = typeof type === 'string' ? this.handlers.get(type) : undefined;
    const room = this.room.roomName;
    messagesReceived.inc({ room, type: registration ? (type as string) : 'unknown' });
    if (!registration) {
      return sendError(client, 'UNKNOWN_MESSAGE', `unknown message type ${JSON.stringify(String(type)).slice(0, 80)}`, rid);
    }
    const illFormed = illFormedPath(payload);
    if (illFormed) return sendError(client, 'INVALID_MESSAGE', `${type}: ${illFormed} must be well-formed Unicode`, rid);
    const parsed = registration.schema.safeParse(payload === undefined ? {} : payload);
    if (!parsed.success) return sendError(client, 'INVALID_MESSAGE', `${type}: ${describeZodError(parsed.error)}`, rid);
    const denied = this.deniedAccess(registration.access, session);
    if (denied) return sendError(client, denied.code, denied.message, rid);

    const stopTimer = messageDuration.startTimer({ room, type: type as string });
    try {
      await registration.handler({ client, ...session }, parsed.data);
    } catch (error) {
      this.replyWithError(client, type as string, error, rid);
    } finally {
      stopTimer();
    }
  }

  private deniedAccess(access: Access, session: { userId: string; role: string }): ArenaError | undefined {
    if (access === 'host' && session.userId !== this.room.seats.hostId) return new ArenaError('NOT_HOST', 'only the host can do that');
    if (access === 'player' && session.role !== 'player') return new ArenaError('NOT_A_PLAYER', 'spectators cannot do that');
    return undefined;
  }

  private replyWithError(client: Client, type: string, error: unknown, rid: string | undefined): void {
    if (error instanceof ArenaError) return sendError(client, error.code, error.message, rid);
    this.logger().error({ err: error, room: this.room.roomName, type }, 'message handler failed');
    sendError(client, 'INTERNAL', 'the server failed to handle this message', rid);
  }
}

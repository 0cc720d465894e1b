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
import { messageDuration, messagesReceived } from '../metrics';
import type { Logger } from '../logger';

/** Who may send a message: anyone in the room, seated players only, or the host only. */
export type Access = 'any' | 'player' | 'host';

export interface MessageContext {
  client: Client;
  userId: string;
  role: 'player' | 'spectator';
}

export interface DispatcherHost {
  roomName(): string;
  logger(): Logger;
  sessionOf(client: Client): { userId: string; role: 'player' | 'spectator' } | undefined;
  isHost(userId: string): boolean;
  onActivity(): void;
  sendError(client: Client, code: ErrorCode, message: string, rid?: string): void;
  /** A queued task (message or timer work) finished, whatever its outcome: e.g. send the patch now. */
  settled?(): void;
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

  constructor(private readonly host: DispatcherHost) {}

  /**
   * Runs `work` after everything already queued in this room. Handlers may await (e.g. storage)
   * without a second message seeing a half-applied state.
   */
  exclusive(work: () => void | Promise<void>): Promise<void> {
    const run = this.tail.then(work);
    this.tail = run.then(
      () => this.host.settled?.(),
      (error) => {
        this.host.logger().error({ err: error, room: this.host.roomName() }, 'room task failed');
        this.host.settled?.();
      },
    );
    return run;
  }

  register(type: string, schema: z.ZodTypeAny, access: Access, handler: Registration['handler']): void {
    if (this.handlers.has(type)) throw new Error(`message type "${type}" registered twice`);
    this.handlers.set(type, { schema, access, handler });
  }

  /** Entry point for every client message (already admitted by the frame gate): handled in order. */
  dispatch(client: Client, type: unknown, payload: unknown): void {
    if (!this.host.sessionOf(client)) return; // not (or no longer) a member: replaced, kicked, mid-rejection
    this.host.onActivity();
    void this.exclusive(() => this.handle(client, type, payload));
  }

  private async handle(client: Client, type: unknown, payload: unknown): Promise<void> {
    const session = this.host.sessionOf(client);
    if (!session) return; // left while the message waited its turn
    const rid = extractRid(payload);

    const registration = typeof type === 'string' ? this.handlers.get(type) : undefined;
    const room = this.host.roomName();
    messagesReceived.inc({ room, type: registration ? (type as string) : 'unknown' });
    if (!registration) {
      return this.host.sendError(client, 'UNKNOWN_MESSAGE', `unknown message type ${JSON.stringify(String(type)).slice(0, 80)}`, rid);
    }
    const illFormed = illFormedPath(payload);
    if (illFormed) return this.host.sendError(client, 'INVALID_MESSAGE', `${type}: ${illFormed} must be well-formed Unicode`, rid);
    const parsed = registration.schema.safeParse(payload === undefined ? {} : payload);
    if (!parsed.success) return this.host.sendError(client, 'INVALID_MESSAGE', `${type}: ${describeZodError(parsed.error)}`, rid);
    const denied = this.deniedAccess(registration.access, session);
    if (denied) return this.host.sendError(client, denied.code, denied.message, rid);

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
    if (access === 'host' && !this.host.isHost(session.userId)) return new ArenaError('NOT_HOST', 'only the host can do that');
    if (access === 'player' && session.role !== 'player') return new ArenaError('NOT_A_PLAYER', 'spectators cannot do that');
    return undefined;
  }

  private replyWithError(client: Client, type: string, error: unknown, rid: string | undefined): void {
    if (error instanceof ArenaError) return this.host.sendError(client, error.code, error.message, rid);
    this.host.logger().error({ err: error, room: this.host.roomName(), type }, 'message handler failed');
    this.host.sendError(client, 'INTERNAL', 'the server failed to handle this message', rid);
  }
}

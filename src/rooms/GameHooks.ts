/**
 * The contract between a game's room class and the framework: what its registration binds (the
 * process's services, the option schemas, the token check every join passes), and every hook a
 * game may override, with its default. A game overrides these (or extends EngineRoom, which
 * implements them for a pure rules engine); GameRoom calls each hook inside the room's queue, in
 * turn with its messages.
 */
import { Room, type Client } from '@colyseus/core';
import { PlayerState, type GameStateWithConfig } from './schema/GameState';
import type { Member } from './SeatRegistry';
import type { ForfeitReason } from './Membership';
import { authenticateRoomToken, serverDecidedOptions } from './auth';
import { RESTORE_OPTION } from '../cluster/restore';
import type { OptionSchemas } from './options';
import type { User } from '../auth/tokens';
import type { Services } from '../services';

export abstract class GameHooks<S extends GameStateWithConfig> extends Room<S> {
  /** Create/configure validation of the game's options; the rooms API validates with it too. */
  static optionSchemas: OptionSchemas;
  /** The process's services, bound by the game's registration (`withServices`). */
  static services?: Services;

  static override async onAuth(this: typeof GameHooks, token: string, options: Record<string, unknown>): Promise<User> {
    const user = await authenticateRoomToken(this.services!.tokens, token);
    serverDecidedOptions(options, user, RESTORE_OPTION);
    return user;
  }

  protected get services(): Services {
    const services = (this.constructor as typeof GameHooks).services;
    if (!services) throw new Error(`${this.constructor.name} was not registered with defineGame`);
    return services;
  }

  protected get optionSchemas(): OptionSchemas {
    return (this.constructor as typeof GameHooks).optionSchemas;
  }

  /** A fresh state instance of the game's state class. */
  protected abstract createState(): S;
  /** Phase just became `playing` (after `start`, the quick countdown, or `rematch`). */
  protected abstract onMatchStart(rematch: boolean): void | Promise<void>;
  /** The game's part of the room snapshot (JSON); its events go through `this.journal.append`. */
  protected gameSnapshot(): unknown {
    return null;
  }
  /** After a restart: rebuild the game from its snapshot and the events logged since. */
  protected restoreGame(_snapshot: unknown, _events: unknown[]): void | Promise<void> {}
  /** A seated player is out of the running match (left, window expired, kicked). In the queue. */
  protected onForfeit(_userId: string, _reason: ForfeitReason): void | Promise<void> {}
  /** A new player took a seat (not a returning one). In the queue. */
  protected onSeatTaken(_userId: string): void | Promise<void> {}
  /** A seat was freed outside a match, or in a room that admits players mid-match. In the queue. */
  protected onSeatReleased(_userId: string, _reason: ForfeitReason): void | Promise<void> {}
  /** The turn timer of `userId` expired. In the queue. */
  protected onTurnTimeout(_userId: string): void | Promise<void> {}
  /** A client (player or spectator) joined or came back: (re)build its StateView here. */
  protected onSessionReady(_client: Client, _member: Member): void {}
  /** Options changed (create or `configure`): mirror the game's own options into state. */
  protected onOptionsApplied(): void {}
  /** Register the game's messages here with `this.handle(...)`. */
  protected registerMessages(): void {}
  /** A fresh room (not a restored one) is ready: e.g. a session starts with its room. */
  protected onCreated(): void | Promise<void> {}
  /** The room closes for good (not for a restart). */
  protected onClose(): void | Promise<void> {}
  /** A new seat's state; games with per-player fields return a subclass of PlayerState. */
  createPlayer(): PlayerState {
    return new PlayerState();
  }
  /** Whether new players may take free seats while a match runs (tabletop sessions: yes). */
  protected acceptsPlayersDuringMatch = false;
}

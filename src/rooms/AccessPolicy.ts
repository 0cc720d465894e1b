/**
 * Who may enter a room: not a kicked user, someone on the allow-lists when the room has them,
 * and only with the password when it has one (kept as a salted scrypt hash, compared in constant
 * time). The creator, and a user already seated (a reload, another device), pass without the
 * password again.
 */
import { hashPassword, verifyPassword, type PasswordHash } from '../auth/passwords';
import { ArenaError } from '../protocol/errors';
import type { User } from '../auth/tokens';

/** The part of the room snapshot that restores access after a restart. */
export interface AccessSnapshot {
  passwordHash?: { salt: string; hash: string };
  kicked: string[];
}

export interface AllowLists {
  allowedUsers?: string[];
  allowedRoles?: string[];
}

export class AccessPolicy {
  private readonly kicked = new Set<string>();
  private passwordHash?: PasswordHash;
  private lists: AllowLists = {};

  constructor(readonly creatorId?: string) {}

  get hasPassword(): boolean {
    return this.passwordHash !== undefined;
  }

  get restricted(): boolean {
    return Boolean(this.lists.allowedUsers || this.lists.allowedRoles);
  }

  /** Sets (a string) or removes (null) the password; undefined keeps it. */
  async setPassword(password: string | null | undefined): Promise<void> {
    if (typeof password === 'string') this.passwordHash = await hashPassword(password);
    else if (password === null) this.passwordHash = undefined;
  }

  setAllowLists(lists: AllowLists): void {
    this.lists = { allowedUsers: lists.allowedUsers, allowedRoles: lists.allowedRoles };
  }

  kick(userId: string): void {
    this.kicked.add(userId);
  }

  /** Throws NOT_ALLOWED or WRONG_PASSWORD unless `user` may join. */
  async check(user: User, password: string | undefined, seated: boolean): Promise<void> {
    if (this.kicked.has(user.id)) throw new ArenaError('NOT_ALLOWED', 'you were removed from this room');
    if (user.id === this.creatorId || seated) return;
    const { allowedUsers, allowedRoles } = this.lists;
    if (allowedUsers || allowedRoles) {
      const listed = allowedUsers?.includes(user.id) || user.roles.some((role) => allowedRoles?.includes(role));
      if (!listed) throw new ArenaError('NOT_ALLOWED', 'this room is restricted to invited users');
    }
    if (this.passwordHash && !(await verifyPassword(password, this.passwordHash))) {
      throw new ArenaError('WRONG_PASSWORD', password ? 'wrong password' : 'this room needs a password');
    }
  }

  snapshot(): AccessSnapshot {
    const hash = this.passwordHash;
    return {
      passwordHash: hash && { salt: hash.salt.toString('base64'), hash: hash.hash.toString('base64') },
      kicked: [...this.kicked],
    };
  }

  restore(snapshot: AccessSnapshot): void {
    const hash = snapshot.passwordHash;
    this.passwordHash = hash && { salt: Buffer.from(hash.salt, 'base64'), hash: Buffer.from(hash.hash, 'base64') };
    for (const userId of snapshot.kicked) this.kicked.add(userId);
  }
}

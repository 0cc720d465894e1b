/**
 * Who may see a tabletop log entry (SPEC §6). Pure: no Colyseus.
 *
 * - Public entries: everyone in the room, players and spectators.
 * - Private entries (whispers, secret rolls): their members (whisper: sender and target; secret
 *   roll: the roller) and every GM, present or joining later. Only seated players ever see a
 *   private entry: a member who comes back as a spectator does not.
 */

export interface Audience {
  private: boolean;
  /** Explicit members of a private entry (GMs are implied); empty for public entries. */
  members: readonly string[];
}

export interface Viewer {
  userId: string;
  role: 'player' | 'spectator';
  isGM: boolean;
}

export const PUBLIC: Audience = Object.freeze({ private: false, members: Object.freeze([]) as readonly string[] });

export function privateAudience(...members: string[]): Audience {
  return { private: true, members: [...new Set(members)] };
}

export function canSee(audience: Audience, viewer: Viewer): boolean {
  if (!audience.private) return true;
  if (viewer.role !== 'player') return false;
  return viewer.isGM || audience.members.includes(viewer.userId);
}

/**
 * The audience as archived: `'everyone'` for public entries, else the sorted user ids that could
 * see it — its members plus every user who was GM in the session.
 */
export function archivedAudience(audience: Audience, gmIds: Iterable<string>): 'everyone' | string[] {
  if (!audience.private) return 'everyone';
  return [...new Set([...audience.members, ...gmIds])].sort();
}

/**
 * How the history API shows a closed tabletop session: every public entry, and each private one
 * (whisper, secret roll) only to the users in its archived audience.
 */
import type { ArchivePresenter } from '../archive';

interface ArchivedEntry {
  audience: 'everyone' | string[];
}

interface SessionRecord {
  log: ArchivedEntry[];
}

function visibleLog(data: unknown, viewerId: string | undefined): ArchivedEntry[] {
  const log = (data as Partial<SessionRecord> | null)?.log;
  if (!Array.isArray(log)) return [];
  return log.filter((entry) => entry.audience === 'everyone' || (viewerId !== undefined && Array.isArray(entry.audience) && entry.audience.includes(viewerId)));
}

export const tabletopArchive: ArchivePresenter = {
  data: (data, viewerId) => ({ ...(data as object), log: visibleLog(data, viewerId) }),
  replay: (data, viewerId) => ({ game: 'tabletop', steps: visibleLog(data, viewerId) }),
};

/**
 * History API (SPEC §7): archived matches and sessions, a step-by-step replay, and the caller's
 * own games. A finished Cabo match shows everything (it is over); a tabletop session's private
 * entries (whispers, secret rolls) are returned only to the users who could see them.
 */
import express from 'express';
import { z } from 'zod';
import { arena } from '../context';
import { ArenaError } from '../protocol/errors';
import { InvalidInputError, type ArchivedGame } from '../persistence/storage';
import { publicReplay, type LogEntry } from '../games/cabo';
import { asyncRoute } from './errors';
import { optionalUser, requireUser, type AuthedRequest } from './auth';

const pageSchema = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(20),
  before: z.string().max(200).optional(),
});

export function gamesRouter(): express.Router {
  const router = express.Router();

  router.get('/games/:id', optionalUser, asyncRoute(async (req, res) => {
    const game = await loadGame(req.params.id);
    res.json({ game: present(game, (req as Partial<AuthedRequest>).user?.id) });
  }));

  router.get('/games/:id/replay', optionalUser, asyncRoute(async (req, res) => {
    const game = await loadGame(req.params.id);
    res.json({ replay: replayOf(game, (req as Partial<AuthedRequest>).user?.id) });
  }));

  router.get('/me/games', requireUser, asyncRoute(async (req, res) => {
    const page = pageSchema.safeParse(req.query);
    if (!page.success) throw new ArenaError('INVALID_REQUEST', 'limit must be 1–100; before must be a cursor from nextCursor');
    try {
      res.json(await arena().storage.listGamesOfUser((req as AuthedRequest).user.id, page.data));
    } catch (error) {
      if (error instanceof InvalidInputError) throw new ArenaError('INVALID_REQUEST', error.message);
      throw error;
    }
  }));

  return router;
}

async function loadGame(id: string): Promise<ArchivedGame> {
  const game = /^[\w-]{1,64}$/.test(id) ? await arena().storage.getGame(id) : undefined;
  if (!game) throw new ArenaError('NOT_FOUND', 'no archived game with that id');
  return game;
}

interface CaboData {
  seats: Array<{ id: string; name: string }>;
  seed: number;
  targetScore: number;
  actions: LogEntry[];
}

interface SessionEntry {
  audience: 'everyone' | string[];
}

/** A tabletop entry is returned only to its audience. */
function visibleTo(userId: string | undefined) {
  return (entry: SessionEntry) => entry.audience === 'everyone' || (userId !== undefined && entry.audience.includes(userId));
}

function present(game: ArchivedGame, userId: string | undefined): unknown {
  if (game.game !== 'tabletop') return game;
  const data = game.data as { log: SessionEntry[] };
  return { ...game, data: { ...data, log: data.log.filter(visibleTo(userId)) } };
}

function replayOf(game: ArchivedGame, userId: string | undefined): unknown {
  const { id, code, startedAt, endedAt, participants } = game;
  if (game.game === 'cabo') {
    const data = game.data as CaboData;
    const init = { seed: data.seed, players: data.seats.map((seat) => seat.id), targetScore: data.targetScore };
    return { id, game: 'cabo', code, startedAt, endedAt, seats: data.seats, seed: data.seed, targetScore: data.targetScore, steps: publicReplay(init, data.actions) };
  }
  if (game.game === 'tabletop') {
    const data = game.data as { log: SessionEntry[] };
    return { id, game: 'tabletop', code, startedAt, endedAt, participants, steps: data.log.filter(visibleTo(userId)) };
  }
  throw new ArenaError('NOT_FOUND', `no replay for ${game.game}`);
}

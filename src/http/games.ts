/**
 * History API (SPEC §7): archived matches and sessions, a step-by-step replay, a fair-play check,
 * and the caller's own games. What a record shows is its game's archive presenter's decision
 * (registered with `defineGame`); a game without one shows only the summary.
 */
import express, { type Request } from 'express';
import { z } from 'zod';
import { ArenaError } from '../protocol/errors';
import { InvalidInputError, type ArchivedGame, type ArchivedGameSummary } from '../persistence/storage';
import type { Services } from '../services';
import type { Storage } from '../persistence/storage';
import { asyncRoute } from './errors';
import { optionalUser, requireUser, type AuthedRequest } from './auth';

const pageSchema = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(20),
  before: z.string().max(200).optional(),
});

export function gamesRouter(services: Services): express.Router {
  const { games, tokens } = services; // storage opens later than the routes are made: read it per request
  const router = express.Router();
  const archivePresenter = (name: string) => games.archivePresenter(name);

  router.get('/games/:id', optionalUser(tokens), asyncRoute(async (req, res) => {
    const game = await loadGame(services.storage, req.params.id);
    const presenter = archivePresenter(game.game);
    const { data, ...summary } = game;
    res.json({ game: presenter ? { ...summary, data: presenter.data(data, viewerOf(req)) } : summary });
  }));

  router.get('/games/:id/replay', optionalUser(tokens), asyncRoute(async (req, res) => {
    const game = await loadGame(services.storage, req.params.id);
    const replay = archivePresenter(game.game)?.replay;
    if (!replay) throw new ArenaError('NOT_FOUND', `no replay for ${game.game}`);
    res.json({ replay: { ...identity(game), ...(replay(game.data, viewerOf(req)) as object) } });
  }));

  router.get('/games/:id/verify', asyncRoute(async (req, res) => {
    const game = await loadGame(services.storage, req.params.id);
    const verify = archivePresenter(game.game)?.verify;
    if (!verify) throw new ArenaError('NOT_FOUND', `${game.game} has nothing to verify`);
    res.json(verify(game.data));
  }));

  router.get('/me/games', requireUser(tokens), asyncRoute(async (req, res) => {
    const page = pageSchema.safeParse(req.query);
    if (!page.success) throw new ArenaError('INVALID_REQUEST', 'limit must be 1–100; before must be a cursor from nextCursor');
    try {
      res.json(await services.storage.listGamesOfUser((req as AuthedRequest).user.id, page.data));
    } catch (error) {
      if (error instanceof InvalidInputError) throw new ArenaError('INVALID_REQUEST', error.message);
      throw error;
    }
  }));

  return router;
}

async function loadGame(storage: Storage, id: string): Promise<ArchivedGame> {
  const game = /^[\w-]{1,64}$/.test(id) ? await storage.getGame(id) : undefined;
  if (!game) throw new ArenaError('NOT_FOUND', 'no archived game with that id');
  return game;
}

function viewerOf(req: Request): string | undefined {
  return (req as Partial<AuthedRequest>).user?.id;
}

function identity({ id, game, code, startedAt, endedAt, participants }: ArchivedGameSummary) {
  return { id, game, code, startedAt, endedAt, participants };
}

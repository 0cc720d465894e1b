/** Rooms API (SPEC §7): list, look up by code, create, and "my rooms" for auto-rejoin. */
import express from 'express';
import { matchMaker } from '@colyseus/core';
import { z } from 'zod';
import { ArenaError } from '../protocol/errors';
import { asyncRoute } from './errors';
import { requireUser, type AuthedRequest } from './auth';
import { findRoom, listPublicRooms, toSummary } from '../matchmaking/listing';
import { normaliseCode } from '../matchmaking/codes';
import { seatIndex } from '../matchmaking/seatIndex';
import { clientOptions, describeZodError } from '../rooms/options';
import type { Services } from '../services';

const createBodySchema = z.object({ game: z.string() }).passthrough();

export function roomsRouter({ games, tokens }: Services): express.Router {
  const router = express.Router();
  const unknownGame = (what: string) => new ArenaError('INVALID_REQUEST', `${what}; one of: ${games.names().join(', ')}`);

  router.get('/rooms', asyncRoute(async (req, res) => {
    const game = req.query.game;
    if (game !== undefined && !games.has(game)) throw unknownGame('unknown game');
    res.json({ rooms: await listPublicRooms(games, game) });
  }));

  router.get('/rooms/:code', asyncRoute(async (req, res) => {
    const code = normaliseCode(req.params.code);
    const room = code && (await findRoom(games, code));
    if (!room) throw new ArenaError('NOT_FOUND', `no room with code ${String(req.params.code).slice(0, 16)}`);
    res.json({ room: toSummary(room) });
  }));

  router.post('/rooms', requireUser(tokens), asyncRoute(async (req, res) => {
    const body = createBodySchema.safeParse(req.body);
    if (!body.success || !games.has(body.data.game)) throw unknownGame('"game" must be a game');
    const { game, ...options } = body.data;
    const createOptions = { ...clientOptions(options), creatorId: (req as AuthedRequest).user.id };
    const valid = games.optionSchemas(game)!.create.safeParse(createOptions);
    if (!valid.success) throw new ArenaError('INVALID_OPTIONS', describeZodError(valid.error));
    const room = await matchMaker.createRoom(game, createOptions);
    res.status(201).json({ code: room.roomId });
  }));

  router.get('/me/rooms', requireUser(tokens), asyncRoute(async (req, res) => {
    const { user } = req as AuthedRequest;
    const codes = await seatIndex.codes(matchMaker.presence, user.id);
    const rooms = await Promise.all(codes.map(async (code) => ({ code, room: await findRoom(games, code) })));
    await Promise.all(rooms.filter(({ room }) => !room).map(({ code }) => seatIndex.remove(matchMaker.presence, user.id, code)));
    res.json({ rooms: rooms.flatMap(({ room }) => (room ? [toSummary(room)] : [])) });
  }));

  return router;
}

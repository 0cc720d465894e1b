/** Rooms API (SPEC §7): list, look up by code, create, and "my rooms" for auto-rejoin. */
import express from 'express';
import { matchMaker } from '@colyseus/core';
import { z } from 'zod';
import { ArenaError } from '../protocol/errors';
import { asyncRoute } from './errors';
import { requireUser, type AuthedRequest } from './auth';
import { findRoom, listPublicRooms, toSummary } from '../rooms/listing';
import { gameNames, gameRoomClass, isGame } from '../rooms/registry';
import { normaliseCode } from '../rooms/codes';
import { seatIndex } from '../rooms/seatIndex';
import { describeZodError } from '../rooms/options';

const createBodySchema = z.object({ game: z.string() }).passthrough();

export function roomsRouter(): express.Router {
  const router = express.Router();

  router.get('/rooms', asyncRoute(async (req, res) => {
    const game = req.query.game;
    if (game !== undefined && !isGame(game)) {
      throw new ArenaError('INVALID_REQUEST', `unknown game; one of: ${gameNames().join(', ')}`);
    }
    res.json({ rooms: await listPublicRooms(game) });
  }));

  router.get('/rooms/:code', asyncRoute(async (req, res) => {
    const code = normaliseCode(req.params.code);
    const room = code && (await findRoom(code));
    if (!room) throw new ArenaError('NOT_FOUND', `no room with code ${String(req.params.code).slice(0, 16)}`);
    res.json({ room: toSummary(room) });
  }));

  router.post('/rooms', requireUser, asyncRoute(async (req, res) => {
    const body = createBodySchema.safeParse(req.body);
    if (!body.success || !isGame(body.data.game)) {
      throw new ArenaError('INVALID_REQUEST', `"game" must be one of: ${gameNames().join(', ')}`);
    }
    const { game, creatorId: _creator, seatsOpen: _open, spectate: _spectate, ...options } = body.data;
    const { user } = req as AuthedRequest;
    const createOptions = { ...options, creatorId: user.id };
    const valid = gameRoomClass(game)!.optionSchemas.create.safeParse(createOptions);
    if (!valid.success) throw new ArenaError('INVALID_OPTIONS', describeZodError(valid.error));
    const room = await matchMaker.createRoom(game, createOptions);
    res.status(201).json({ code: room.roomId });
  }));

  router.get('/me/rooms', requireUser, asyncRoute(async (req, res) => {
    const { user } = req as AuthedRequest;
    const codes = await seatIndex.codes(matchMaker.presence, user.id);
    const rooms = await Promise.all(codes.map(async (code) => ({ code, room: await findRoom(code) })));
    await Promise.all(rooms.filter(({ room }) => !room).map(({ code }) => seatIndex.remove(matchMaker.presence, user.id, code)));
    res.json({ rooms: rooms.flatMap(({ room }) => (room ? [toSummary(room)] : [])) });
  }));

  return router;
}

/**
 * Create options of game rooms (SPEC §4), validated with zod. Each game supplies its seat range,
 * defaults and extra options; the base room validates create, join and `configure` with them.
 */
import { z } from 'zod';

/** Options every game room understands after validation (a game's own are added to it). */
export interface BaseRoomOptions {
  private: boolean;
  maxPlayers: number;
  minPlayers: number;
  allowSpectators: boolean;
  maxSpectators: number;
  allowedUsers?: string[];
  allowedRoles?: string[];
  turnSeconds: number;
  reconnectSeconds: number;
  idleSeconds: number;
  mode: 'custom' | 'quick';
  /** Quick match: seconds from reaching minPlayers to the start (reset per join, capped at 3×). */
  countdownSeconds: number;
}

/** Per-game seat range and defaults. */
export interface GameDefaults {
  /** Inclusive range for `minPlayers` and `maxPlayers`. */
  seatRange: [min: number, max: number];
  maxPlayers: number;
  minPlayers: number;
  turnSeconds: number;
}

const userId = z.string().min(1).max(128);

/** Options the host may change with `configure` while waiting (besides the game's own). */
function configurableShape(defaults: GameDefaults) {
  const [low, high] = defaults.seatRange;
  return {
    /** Hidden from listings and quick match; joinable by code. */
    private: z.boolean().default(false),
    /** Required to join as player or spectator; stored hashed only. */
    password: z.string().min(1).max(64).optional(),
    maxPlayers: z.number().int().min(low).max(high).default(defaults.maxPlayers),
    minPlayers: z.number().int().min(low).max(high).default(defaults.minPlayers),
    allowSpectators: z.boolean().default(true),
    maxSpectators: z.number().int().min(0).max(100).default(20),
    /** When set, only these user ids (token `sub`) may join… */
    allowedUsers: z.array(userId).max(100).optional(),
    /** …or users holding one of these token roles. */
    allowedRoles: z.array(z.string().min(1).max(32)).max(20).optional(),
    /** Turn timer; the warning comes at min(10, turnSeconds / 2) seconds left. */
    turnSeconds: z.number().int().min(2).max(600).default(defaults.turnSeconds),
    /** Seat kept after an unconsented disconnect; 0 releases it at once. */
    reconnectSeconds: z.number().int().min(0).max(600).default(60),
    /** The room closes after this long without any client message. */
    idleSeconds: z.number().int().min(2).max(86_400).default(600),
    /** Quick match: seconds from reaching minPlayers to the start; each join resets it (capped at 3×). */
    countdownSeconds: z.number().int().min(1).max(30).default(10),
  };
}

export const MODES = ['custom', 'quick'] as const;

/**
 * Keys the server sets itself in the options of a join or create (who creates; whether a join
 * needs an open seat): whatever a client sends under these names is replaced.
 */
export const INTERNAL_OPTION_KEYS = ['creatorId', 'seatsOpen'] as const;

/** `options` without the server's own keys (and without the join-only `spectate`). */
export function clientOptions(options: Record<string, unknown>): Record<string, unknown> {
  const { spectate: _spectate, ...rest } = options;
  for (const key of INTERNAL_OPTION_KEYS) delete rest[key];
  return rest;
}

/** Create and configure validation of one game's options (`buildOptionSchemas`). */
export type OptionSchemas = ReturnType<typeof buildOptionSchemas>;

export function buildOptionSchemas<Extra extends z.ZodRawShape>(defaults: GameDefaults, extra: Extra) {
  const configurable = { ...configurableShape(defaults), ...extra };

  const create = z
    .object({
      ...configurable,
      /** `quick`: a quick-match room found by `joinOrCreate(game, { mode: "quick" })`. */
      mode: z.enum(MODES).default('custom'),
      /** Join option: join as spectator. */
      spectate: z.boolean().optional(),
      creatorId: userId.optional(),
      seatsOpen: z.boolean().optional(),
    })
    .strict()
    .superRefine((options, ctx) => checkConsistency(options as unknown as ConsistencyFields, ctx));

  const configure = z
    .object({ ...configurable, password: z.string().min(1).max(64).nullable() })
    .partial()
    .strict();

  return { create, configure };
}

interface ConsistencyFields {
  minPlayers: number;
  maxPlayers: number;
  mode: string;
  private: boolean;
  password?: string;
  allowedUsers?: string[];
  allowedRoles?: string[];
}

function checkConsistency(options: ConsistencyFields, ctx: z.RefinementCtx) {
  if (options.minPlayers > options.maxPlayers) {
    ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['minPlayers'], message: 'minPlayers must not exceed maxPlayers' });
  }
  if (options.mode === 'quick' && (options.private || options.password || options.allowedUsers || options.allowedRoles)) {
    ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['mode'], message: 'quick-match rooms are open: no private, password or allow-lists' });
  }
}

/** Join options (SPEC §4): what a client passes to `joinById(code, options)`. */
export const joinOptionsSchema = z
  .object({ password: z.string().max(64).optional(), spectate: z.boolean().optional() })
  .passthrough();

/** One readable line from a zod error: "maxPlayers: Number must be less than or equal to 6". */
export function describeZodError(error: z.ZodError): string {
  return error.issues
    .map((issue) => (issue.path.length ? `${issue.path.join('.')}: ${issue.message}` : issue.message))
    .join('; ');
}

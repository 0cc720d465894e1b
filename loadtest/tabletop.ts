/**
 * Tabletop bots for @colyseus/loadtest: each quick-matches into a `tabletop` session (the first
 * bot of a session is its GM) and chats, rolls dice (some secret) and whispers to other seated
 * players at configurable rates (per bot, per minute, Poisson-spaced). It times each message from
 * `send` until its log entry arrives in the bot's own state.
 *
 *   npm run loadtest:tabletop -- --numClients 200 [--endpoint ws://localhost:2567]
 *       [--chatPerMin 6] [--rollPerMin 3] [--whisperPerMin 2] [--secretRollShare 0.2]
 *       [--maxPlayers 8] [--duration 60] [--secret …|--secretFile …]
 *
 * The sum of the rates must stay under Arena's per-client limit (600/min); `--duration N` leaves
 * after N s and exits 0.
 */
import { getStateCallbacks, type Room } from 'colyseus.js';
import { cli, type Options } from '@colyseus/loadtest';
import { identitySource, numberFlag, parseFlags, sleep, joinBotRoom } from './common';

const flags = parseFlags(process.argv.slice(2));
if (!flags.room && !flags.roomId) process.argv.push('--room', 'tabletop');

const rates = {
  chat: numberFlag(flags, 'chatPerMin', 6, [0, 300]),
  roll: numberFlag(flags, 'rollPerMin', 3, [0, 300]),
  whisper: numberFlag(flags, 'whisperPerMin', 2, [0, 300]),
};
if (rates.chat + rates.roll + rates.whisper >= 600) throw new Error('the rates add up to 600/min or more: over the server limit');
const secretRollShare = numberFlag(flags, 'secretRollShare', 0.2, [0, 1]);
const maxPlayers = numberFlag(flags, 'maxPlayers', 8, [1, 12]);
const durationSeconds = numberFlag(flags, 'duration', 0, [0, 86_400]);
const endpoint = typeof flags.endpoint === 'string' ? flags.endpoint : 'ws://localhost:2567';
const identities = identitySource(flags, endpoint, 'table');

const FORMULAS = ['d20', '2d20kh1+5', '3d6+1d4-2', '4d6kl3', '1d100', '2d8+3'];
const LINES = ['I open the door.', 'Anyone got a torch?', 'Roll for initiative!', 'The goblin looks nervous.', 'I search the chest.'];

interface LogEntryView {
  from: string;
  text: string;
  kind: string;
}

const sessions = new Set<Room>();
const totals = { sent: 0, seen: 0, ms: 0, errors: 0 };
let stopping = false;

/** Milliseconds until the next event of a Poisson process with `perMinute` events per minute. */
function nextGap(perMinute: number): number {
  return (-Math.log(1 - Math.random()) * 60_000) / perMinute;
}

async function play(options: Options, index: number): Promise<void> {
  const identity = await identities(index);
  const room = await joinBotRoom(options, identity.token, maxPlayers);
  sessions.add(room);

  const sentAt = new Map<string, number>();
  let counter = 0;
  const $ = getStateCallbacks(room);
  $(room.state as any).log.onAdd((entry: LogEntryView) => {
    if (entry.from !== identity.id) return;
    const started = sentAt.get(entry.text);
    if (started === undefined) return;
    sentAt.delete(entry.text);
    totals.seen++;
    totals.ms += performance.now() - started;
  });
  room.onMessage('error', (error: { code: string; message: string }) => {
    totals.errors++;
    console.warn(`${identity.name}: ${error.code} ${error.message}`);
  });
  room.onMessage('*', () => {});

  const timers = new Map<string, NodeJS.Timeout>();
  const every = (kind: string, perMinute: number, send: () => void) => {
    if (perMinute <= 0) return;
    const loop = () => {
      timers.set(
        kind,
        setTimeout(() => {
          if (stopping || !room.connection.isOpen) return;
          send();
          loop();
        }, nextGap(perMinute)),
      );
    };
    loop();
  };
  const tag = () => `#${index}.${++counter}`;
  const track = (text: string) => {
    if (sentAt.size > 100) sentAt.clear(); // entries we could not see (e.g. trimmed): forget them
    sentAt.set(text, performance.now());
    totals.sent++;
  };

  every('chat', rates.chat, () => {
    const text = `${LINES[Math.floor(Math.random() * LINES.length)]} ${tag()}`;
    track(text);
    room.send('chat', { text });
  });
  every('roll', rates.roll, () => {
    const label = `roll ${tag()}`;
    track(label);
    room.send('roll', { formula: FORMULAS[Math.floor(Math.random() * FORMULAS.length)], label, secret: Math.random() < secretRollShare });
  });
  every('whisper', rates.whisper, () => {
    const others: string[] = [];
    (room.state as any).players.forEach((_player: unknown, id: string) => id !== identity.id && others.push(id));
    if (others.length === 0) return;
    const text = `psst ${tag()}`;
    track(text);
    room.send('whisper', { to: others[Math.floor(Math.random() * others.length)], text });
  });

  room.onLeave((code) => {
    sessions.delete(room);
    timers.forEach(clearTimeout);
    if (!stopping) console.info(`${identity.name}: session closed (${code})`);
  });
}

setInterval(() => {
  const mean = totals.seen ? (totals.ms / totals.seen).toFixed(1) : '-';
  console.log(`bots ${sessions.size} | sent ${totals.sent} | seen in log ${totals.seen} (mean ${mean} ms) | errors ${totals.errors}`);
}, 5000).unref();

if (durationSeconds > 0) {
  setTimeout(async () => {
    stopping = true;
    console.log(`duration reached: ${sessions.size} bots leave`);
    await Promise.race([Promise.all([...sessions].map((room) => room.leave(true).catch(() => {}))), sleep(3000)]);
    process.exit(0);
  }, durationSeconds * 1000);
}

cli((options) => play(options, options.clientId));

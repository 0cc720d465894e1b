/**
 * Cabo bots for @colyseus/loadtest: each quick-matches into a 4-player `cabo` room, plays random
 * legal moves after a think time, answers powers, calls cabo now and then, and after `game_over`
 * rematches (host) or requeues.
 *
 *   npm run loadtest:cabo -- --numClients 200 [--endpoint ws://localhost:2567] [--thinkMs 1000]
 *       [--maxPlayers 4] [--caboChance 0.1] [--duration 60] [--secret …|--secretFile …] [--delay 0]
 *
 * @colyseus/loadtest's own flags (--numClients, --endpoint, --delay, --output, --room) work as
 * documented; `--room` defaults to `cabo`. Tokens: see `identitySource` (signed with the server's
 * secret when available, guest tokens otherwise). `--duration N` leaves every room after N s and
 * exits 0; without it the bots run until Ctrl-C / q.
 */
import { cli, type Options } from '@colyseus/loadtest';
import { CaboBot } from './caboBot';
import { identitySource, numberFlag, parseFlags, sleep, joinBotRoom } from './common';

const flags = parseFlags(process.argv.slice(2));
if (!flags.room && !flags.roomId) process.argv.push('--room', 'cabo');

const thinkMs = numberFlag(flags, 'thinkMs', 1000, [0, 600_000]);
const maxPlayers = numberFlag(flags, 'maxPlayers', 4, [2, 6]);
const caboChance = numberFlag(flags, 'caboChance', 0.1, [0, 1]);
const durationSeconds = numberFlag(flags, 'duration', 0, [0, 86_400]);
const endpoint = typeof flags.endpoint === 'string' ? flags.endpoint : 'ws://localhost:2567';
const identities = identitySource(flags, endpoint, 'cabo');

const bots = new Set<CaboBot>();
const totals = { acks: 0, ackMs: 0, matches: 0, rejected: 0, requeues: 0 };
let stopping = false;

async function play(options: Options, index: number): Promise<void> {
  const identity = await identities(index);
  const room = await joinBotRoom(options, identity.token, maxPlayers);
  const bot: CaboBot = new CaboBot(room, identity.id, { thinkMs, policy: { caboChance, skipPowerChance: 0.2 } }, {
    ack: (ms) => {
      totals.acks++;
      totals.ackMs += ms;
    },
    rejected: (code, type) => {
      totals.rejected++;
      console.warn(`${identity.name}: ${type} rejected with ${code}`);
    },
    matchOver: (host) => {
      if (host) totals.matches++;
    },
    finished: (reason, closeCode) => {
      bots.delete(bot);
      if (stopping) return;
      if (reason === 'closed') console.info(`${identity.name}: room closed (${closeCode})`);
      totals.requeues++;
      void bot
        .leave()
        .then(() => sleep(Math.random() * thinkMs))
        .then(() => (stopping ? undefined : play(options, index)))
        .catch((error) => console.error(`${identity.name}: requeue failed: ${String(error)}`));
    },
  });
  bots.add(bot);
}

setInterval(() => {
  const mean = totals.acks ? (totals.ackMs / totals.acks).toFixed(1) : '-';
  console.log(`bots ${bots.size} | moves acked ${totals.acks} (mean ${mean} ms) | matches ${totals.matches} | rejected ${totals.rejected} | requeues ${totals.requeues}`);
}, 5000).unref();

if (durationSeconds > 0) {
  setTimeout(async () => {
    stopping = true;
    console.log(`duration reached: ${bots.size} bots leave`);
    await Promise.race([Promise.all([...bots].map((bot) => bot.leave())), sleep(3000)]);
    process.exit(0);
  }, durationSeconds * 1000);
}

cli((options) => play(options, options.clientId));

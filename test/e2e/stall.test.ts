/**
 * A process that stalls past its lease (GC pause, `kill -STOP`) while other processes adopt its
 * rooms, and a killed process restarted under the same PUBLIC_ADDRESS: real child processes on
 * Redis + PostgreSQL. A room is hosted in exactly one place, an acknowledged action is never
 * lost, and an adopted room stays listed once and joinable by code.
 */
import { strict as assert } from 'assert';
import type { Room } from 'colyseus.js';
import { httpJson } from '../support/arena';
import { threeProcesses, type ClusterNode, type Identity } from '../support/cluster';
import { Probe, dropConnection } from '../support/probe';
import { drive, type Player } from '../support/caboClients';

/** Redis database reserved for this suite. */
const REDIS_DB = 14;
const LEASE_SECONDS = 4;
/** How often a process renews its leases (a third of the lease, src/cluster/cluster.ts). */
const RENEW_EVERY_MS = (LEASE_SECONDS * 1000) / 3;
/** Close code of a room that closed here because it moved (CLOSE_SHUTDOWN in GameRoom). */
const CLOSE_MOVED = 4005;

interface Seat extends Player {
  identity: Identity;
}

/**
 * What a client saw of a Cabo match: everything an acknowledged action changes, as that client
 * decodes it. Card ids are left out: they are opaque per room instance (a restored room deals
 * new ones, so that they never identify a card), the values this client may see are kept.
 */
function observed(state: any, me: string) {
  const mine = state.players.get(me);
  return {
    seq: state.lastAction.seq,
    lastAction: `${state.lastAction.playerId}:${state.lastAction.type}:${state.lastAction.source}:${state.lastAction.index}`,
    round: state.round,
    roundPhase: state.roundPhase,
    turn: state.turn,
    turnPhase: state.turnPhase,
    deckCount: state.deckCount,
    discardCount: state.discardCount,
    discardTop: state.discardTop,
    handCounts: [...state.players.values()].map((p: any) => p.handCount),
    myValues: [...mine.hand].map((card: any) => card.value),
    myDrawn: mine.drawn.value,
  };
}

/** Leaves unless the server closed the connection already (colyseus.js would wait forever). */
async function leave(seat: { room: Room; probe: Probe }): Promise<void> {
  if (seat.probe.leftWith !== undefined) return;
  await Promise.race([seat.room.leave(), new Promise((resolve) => setTimeout(resolve, 3_000))]);
}

describe('e2e: a stalled or restarted process never hosts a room twice (Redis + PostgreSQL)', function () {
  this.timeout(120_000);
  const cluster = threeProcesses({ redisDb: REDIS_DB, name: 'stall', leaseSeconds: LEASE_SECONDS });
  const { guest, client, startNode } = cluster;

  async function seat(node: ClusterNode, identity: Identity, code: string, options: Record<string, unknown> = {}): Promise<Seat> {
    const room: Room = await client(node, identity.token).joinById(code, options);
    const probe = new Probe(room);
    await probe.stateWhere((s) => s.code === room.roomId, 'state');
    return { identity, token: identity.token, id: identity.user.id, room, probe };
  }

  /** The listing of `code` in the shared driver (Redis), as every process's matchmaker reads it. */
  async function listingOf(code: string): Promise<{ publicAddress?: string; processId: string } | undefined> {
    const json = await cluster.redis.hget('roomcaches', code);
    return json ? JSON.parse(json) : undefined;
  }

  /** How many times each node's `GET /api/rooms` lists `code`. */
  async function listedCounts(code: string): Promise<number[]> {
    return Promise.all(cluster.nodes.map(async (node) => (await httpJson(node.http, 'GET', '/api/rooms')).body.rooms.filter((room: any) => room.code === code).length));
  }

  function adoptionLines(code: string, among: ClusterNode[]): string[] {
    return among.flatMap((node) => node.server.output().split('\n').filter((line) => line.includes('adopting a room') && line.includes(`"${code}"`)));
  }

  function adopterOf(code: string, among: ClusterNode[]): ClusterNode | undefined {
    return among.find((node) => adoptionLines(code, [node]).length > 0);
  }

  /** Both clients have every patch the server sent them so far. */
  async function settle(seats: Seat[]): Promise<void> {
    await Promise.all(seats.map((s) => s.probe.roundTrip()));
  }

  /** One acknowledged Cabo move (drive stops after it). */
  async function oneMove(seats: Seat[], acknowledged: Array<{ playerId: string; type: string }>): Promise<void> {
    const before = acknowledged.length;
    await drive(seats, acknowledged, () => acknowledged.length > before);
  }

  /** Plays until at least `moves` were acknowledged and someone is about to draw; both clients settled. */
  async function playUntilDraw(seats: Seat[], acknowledged: Array<{ playerId: string; type: string }>, moves: number): Promise<void> {
    for (;;) {
      await settle(seats);
      const s = seats[0].room.state as any;
      if (acknowledged.length >= moves && s.roundPhase === 'turn' && s.turnPhase === 'draw') return;
      await oneMove(seats, acknowledged);
    }
  }

  it('a process stopped past its lease (kill -STOP), then continued, acknowledges nothing and closes its copy; the adopter keeps every acknowledged action', async () => {
    const problems: string[] = [];
    const expect = (ok: boolean, message: string) => void (ok || problems.push(message));
    const times: Record<string, number> = {};
    const since = (from: number) => Date.now() - from;

    // a two-player Cabo match (long turn timer: no system move interferes), both players on its process
    const creator = await guest(cluster.nodes[0], 'P1');
    const created = await httpJson(cluster.nodes[0].http, 'POST', '/api/rooms', {
      token: creator.token,
      body: { game: 'cabo', maxPlayers: 2, targetScore: 100, setupSeconds: 60, turnSeconds: 120, roundPauseSeconds: 1 },
    });
    const code: string = created.body.code;
    const victimAddress = (await listingOf(code))!.publicAddress;
    const victim = cluster.nodes.find((node) => node.address === victimAddress)!;
    assert.ok(victim, `room ${code} is listed on ${victimAddress}`);
    const survivors = cluster.nodes.filter((node) => node !== victim);
    const identities = [creator, await guest(survivors[0], 'P2')];
    const onVictim = await Promise.all(identities.map((identity) => seat(victim, identity, code)));
    onVictim[0].room.send('start', {});
    await onVictim[0].probe.stateWhere((s) => s.roundPhase === 'setup', 'setup');
    for (const p of onVictim) p.room.send('ready', {});
    await onVictim[0].probe.stateWhere((s) => s.roundPhase === 'turn', 'first turn');
    const acknowledged: Array<{ playerId: string; type: string }> = [];
    await playUntilDraw(onVictim, acknowledged, 4);
    // what each client saw acknowledged before the stall
    const seen = onVictim.map((p) => observed(p.room.state, p.id));
    const before = seen[0];
    const victimRoomsBefore = (await httpJson(victim.http, 'GET', '/healthz')).body.rooms;

    // watch the stalled process's sockets: any patch that shows an action applied is an acknowledgement
    const ackedByStalled: string[] = [];
    let continuedAt = 0;
    let maxSeqSeen = before.seq;
    const unwatch = onVictim.map((p) =>
      p.probe.subscribe(() => {
        const now = observed(p.room.state, p.id);
        maxSeqSeen = Math.max(maxSeqSeen, now.seq);
        if (now.seq !== before.seq || now.deckCount !== before.deckCount || now.turnPhase !== before.turnPhase || now.myDrawn >= 0) {
          ackedByStalled.push(`${p.id === identities[0].user.id ? 'P1' : 'P2'} saw seq ${now.seq}, deck ${now.deckCount}, ${now.turnPhase}, drawn ${now.myDrawn} at +${since(continuedAt)} ms`);
        }
      }),
    );

    // stall the host process past its lease: a survivor adopts the match
    const stoppedAt = Date.now();
    process.kill(victim.server.child.pid!, 'SIGSTOP');
    try {
      await waitFor(async () => adoptionLines(code, survivors).length > 0 && (await listingOf(code))?.publicAddress !== victim.address, 30_000, 'adoption by a survivor');
    } catch (error) {
      process.kill(victim.server.child.pid!, 'SIGCONT');
      throw error;
    }
    times.adoptedAfterStopMs = since(stoppedAt);
    const adopter = adopterOf(code, survivors)!;
    const other = survivors.find((node) => node !== adopter)!;
    expect(adoptionLines(code, survivors).length === 1, `adopted ${adoptionLines(code, survivors).length} times`);

    // while it is still stopped, the player to move draws over the old socket (the kernel buffers it)
    const drawer = onVictim.find((p) => p.id === before.turn)!;
    const ws = (drawer.room.connection as any).transport.ws;
    drawer.room.send('draw', { source: 'deck', rid: 'stalled-0' });
    await waitFor(async () => ws.bufferedAmount === 0, 2_000, 'the draw handed to the kernel');
    continuedAt = Date.now();
    process.kill(victim.server.child.pid!, 'SIGCONT');
    times.stoppedForMs = continuedAt - stoppedAt;

    // a client that is told "no" retries, as a player would, for a few seconds while its socket is open
    let retries = 0;
    const retryUntil = continuedAt + 4_000;
    const stopRetrying = drawer.probe.subscribe(() => {
      const rid = `stalled-${retries}`;
      if (drawer.probe.leftWith !== undefined || Date.now() > retryUntil) return;
      if (!drawer.probe.messages.some((m) => m.type === 'error' && m.message.rid === rid)) return;
      retries++;
      setTimeout(() => drawer.probe.leftWith === undefined && drawer.room.send('draw', { source: 'deck', rid: `stalled-${retries}` }), 200);
    });

    // (a) the stalled copy closes: `closing {reason: "moved"}`, close code 4005, nothing acknowledged
    const leftCodes = await Promise.all(onVictim.map((p) => p.probe.left(8_000).catch(() => undefined)));
    times.closedAfterContinueMs = since(continuedAt);
    stopRetrying();
    unwatch.forEach((stop) => stop());
    const drawerErrors = drawer.probe.messages.filter((m) => m.type === 'error' && String(m.message.rid).startsWith('stalled-')).map((m) => m.message.code);
    expect(ackedByStalled.length === 0, `the stalled process acknowledged an action after it was adopted: ${ackedByStalled.join('; ')}`);
    leftCodes.forEach((left, i) => expect(left === CLOSE_MOVED, `P${i + 1}'s socket to the stalled process ${left === undefined ? 'stayed open 8 s after SIGCONT' : `closed with ${left}`}, expected ${CLOSE_MOVED}`));
    onVictim.forEach((p, i) => expect(p.probe.messages.some((m) => m.type === 'closing' && m.message.reason === 'moved'), `P${i + 1} got no closing {reason: "moved"} (messages: ${p.probe.messages.slice(-4).map((m) => m.type).join(', ')})`));

    /** Runs one step; a step that throws is recorded, and the steps that need it are skipped. */
    const step = async (name: string, body: () => Promise<void>): Promise<boolean> => {
      try {
        await body();
        return true;
      } catch (error) {
        problems.push(`${name}: ${(error as Error).message}`);
        return false;
      }
    };
    const listedOnceEverywhere = async (when: string) => {
      const counts = await listedCounts(code);
      expect(JSON.stringify(counts) === '[1,1,1]', `${when}: GET /api/rooms lists ${code} ${JSON.stringify(counts)} times (per process)`);
      const listing = await listingOf(code);
      expect(listing?.publicAddress === adopter.address, `${when}: ${code} is listed on ${listing?.publicAddress ?? 'no process'}, adopted by ${adopter.address}`);
    };

    // (b) the players rejoin by code (through the two survivors): the room is on the adopter with
    // every action acknowledged before the stall, and none acknowledged after it
    let seats: Seat[] = [];
    const rejoined = await step('rejoin through the survivors', async () => {
      const rejoinStartedAt = Date.now();
      // a player whose join fails tries again (as a client would), but every failure is reported
      const rejoin = async (node: ClusterNode, identity: Identity, label: string): Promise<Seat> => {
        for (let attempt = 1; ; attempt++) {
          try {
            return await seat(node, identity, code);
          } catch (error) {
            problems.push(`${label}'s rejoin through ${node === adopter ? 'the adopter' : 'the other survivor'}, attempt ${attempt}: ${(error as Error).message}`);
            if (attempt === 3) throw error;
          }
        }
      };
      seats = await Promise.all([rejoin(other, identities[0], 'P1'), rejoin(adopter, identities[1], 'P2')]);
      await seats[0].probe.stateWhere((s) => [...s.players.values()].every((p: any) => p.connected), 'both players back');
      await settle(seats);
      times.rejoinedMs = since(rejoinStartedAt);
      const after = seats.map((p) => observed(p.room.state, p.id));
      const lost = maxSeqSeen - after[0].seq;
      expect(lost <= 0, `${lost} acknowledged action(s) lost: clients saw seq ${maxSeqSeen}, the room after rejoining is at seq ${after[0].seq}`);
      after.forEach((view, i) => expect(JSON.stringify(view) === JSON.stringify(seen[i]), `P${i + 1}'s view of the rejoined match differs from what it saw before the stall: ${JSON.stringify(seen[i])} → ${JSON.stringify(view)}`));
    });

    // (c) one host: the adopter's listing, once, on every process; the stalled process hosts none of it
    await step('one host', async () => {
      await listedOnceEverywhere('after rejoining');
      for (const node of cluster.nodes) {
        const { status } = await httpJson(node.http, 'GET', `/api/rooms/${code}`);
        expect(status === 200, `GET /api/rooms/${code} on ${node.address}: ${status}`);
      }
      const victimRoomsAfter = (await httpJson(victim.http, 'GET', '/healthz')).body.rooms;
      expect(victimRoomsAfter === victimRoomsBefore - 1, `the stalled process still hosts ${victimRoomsAfter} rooms (had ${victimRoomsBefore} with this one)`);
    });

    // (d) through the stalled process's next lease renewals (the listings watched meanwhile), the
    // match goes on on the adopter, and stays joinable by code, through the stalled process too
    await step('listings after the renewals', async () => {
      const watchUntil = Date.now() + 2 * RENEW_EVERY_MS + 500;
      while (Date.now() < watchUntil) {
        const counts = await listedCounts(code);
        if (JSON.stringify(counts) !== '[1,1,1]') {
          problems.push(`${since(continuedAt)} ms after SIGCONT: GET /api/rooms lists ${code} ${JSON.stringify(counts)} times (per process)`);
          break;
        }
        await new Promise((resolve) => setTimeout(resolve, 250)); // polling the listings for a change that must not happen
      }
    });
    const played = rejoined && (await step('playing on on the adopter', async () => {
      const movesBefore = acknowledged.length;
      for (let i = 0; i < 3; i++) await oneMove(seats, acknowledged);
      await settle(seats);
      const seq = seats[0].room.state.lastAction.seq;
      expect(seq === before.seq + (acknowledged.length - movesBefore), `after ${acknowledged.length - movesBefore} more moves the match is at seq ${seq} (was ${before.seq})`);
      await listedOnceEverywhere('after playing on');
    }));
    if (played) {
      await step('joining again through the stalled process', async () => {
        const expected = seats.map((p) => observed(p.room.state, p.id));
        for (const s of seats) dropConnection(s.room);
        seats = await Promise.all([seat(victim, identities[0], code), seat(other, identities[1], code)]);
        const spectator = await seat(victim, await guest(victim, 'Watcher'), code, { spectate: true });
        await seats[0].probe.stateWhere((s) => [...s.players.values()].every((p: any) => p.connected), 'both players back again');
        await settle([...seats, spectator]);
        seats.forEach((p, i) => expect(JSON.stringify(observed(p.room.state, p.id)) === JSON.stringify(expected[i]), `P${i + 1}'s view changed between two joins: ${JSON.stringify(expected[i])} → ${JSON.stringify(observed(p.room.state, p.id))}`));
        expect((spectator.room.state as any).lastAction.seq === expected[0].seq, 'the spectator (joined through the stalled process) sees the same match');
        await oneMove(seats, acknowledged);
        await listedOnceEverywhere('at the end');
        for (const s of [...seats, spectator]) await leave(s);
      });
    }
    times.totalMs = since(stoppedAt);

    console.log(`      stall: room ${code} on ${victim.address}, adopted by ${adopter.address}; drawer errors ${JSON.stringify(drawerErrors)}, retries ${retries}; times ${JSON.stringify(times)}`);
    if (problems.length > 0) {
      for (const node of cluster.nodes) console.log(`----- ${node.address}${node === victim ? ' (stalled)' : node === adopter ? ' (adopter)' : ''}\n${node.server.output().split('\n').filter((line) => line.includes(code)).join('\n')}`);
    }
    assert.deepEqual(problems, []);
  });

  it('a process killed (kill -9) and restarted under the same PUBLIC_ADDRESS: every adopted room stays listed exactly once', async () => {
    const CYCLES = 3;
    const ROOMS = 6;
    const report: string[] = [];
    for (let cycle = 1; cycle <= CYCLES; cycle++) {
      // rooms spread over the processes (each with its host seated), the victim is the host of the first
      const codes: string[] = [];
      const hosts: Seat[] = [];
      for (let i = 0; i < ROOMS; i++) {
        const node = cluster.nodes[i % cluster.nodes.length];
        const identity = await guest(node, `H${cycle}${i}`);
        const { body } = await httpJson(node.http, 'POST', '/api/rooms', { token: identity.token, body: { game: 'cabo', maxPlayers: 3 } });
        codes.push(body.code);
        hosts.push(await seat(node, identity, body.code));
      }
      const owners = await Promise.all(codes.map(async (code) => (await listingOf(code))?.publicAddress));
      const victim = cluster.nodes.find((node) => node.address === owners[0])!;
      const survivors = cluster.nodes.filter((node) => node !== victim);
      const orphans = codes.filter((_, i) => owners[i] === victim.address);

      assert.equal(await victim.server.stop('SIGKILL'), 'SIGKILL');
      const killedAt = Date.now();
      const live = () => cluster.nodes.filter((node) => node !== victim);
      const problems: string[] = [];

      /** Every room is listed at most once everywhere; an adopted (or never orphaned) room exactly once. */
      const checkListings = async (among: ClusterNode[], label: string) => {
        const lists = await Promise.all(among.map(async (node) => (await httpJson(node.http, 'GET', '/api/rooms')).body.rooms.map((room: any) => room.code)));
        for (const code of codes) {
          const counts = lists.map((list: string[]) => list.filter((c) => c === code).length);
          const mustBeListed = !orphans.includes(code) || adoptionLines(code, survivors).length > 0;
          if (counts.some((n) => n > 1) || (mustBeListed && counts.some((n) => n !== 1))) {
            problems.push(`cycle ${cycle}, ${label} ${Date.now() - killedAt} ms after the kill: ${code}${orphans.includes(code) ? ' (adopted)' : ''} listed ${JSON.stringify(counts)} times`);
          }
        }
      };

      // adoption of every orphan, the listings watched meanwhile
      await waitFor(async () => {
        await checkListings(live(), 'waiting for adoption');
        return orphans.every((code) => adoptionLines(code, survivors).length > 0);
      }, 30_000, `adoption of ${orphans.join(', ')}`);
      const adoptedAfter = Date.now() - killedAt;
      for (const code of orphans) assert.equal(adoptionLines(code, survivors).length, 1, `${code} adopted once`);

      // restart under the same port, PUBLIC_ADDRESS and DATA_DIR; watch every process's listings
      const restarted = await startNode({ port: victim.port, dataDir: victim.dataDir });
      cluster.nodes = cluster.nodes.map((node) => (node === victim ? restarted : node));
      const restartedAfter = Date.now() - killedAt;
      const watchUntil = Date.now() + 8_000;
      let polls = 0;
      while (Date.now() < watchUntil) {
        await checkListings(cluster.nodes, 'after the restart');
        polls++;
        await new Promise((resolve) => setTimeout(resolve, 250)); // polling the listings for a change that must not happen
      }
      // the adopted rooms are still joinable by code through the restarted process
      for (const code of orphans) {
        const back = await seat(restarted, hosts[codes.indexOf(code)].identity, code).catch((error: Error) => error);
        if (back instanceof Error) problems.push(`cycle ${cycle}: ${code} not joinable by code through the restarted process: ${back.message}`);
        else await leave(back);
      }
      for (const host of hosts) await leave(host);
      report.push(`cycle ${cycle}: ${orphans.length} rooms on ${victim.address}, adopted after ${adoptedAfter} ms, restarted after ${restartedAfter} ms, ${polls} polls`);
      if (problems.length > 0) {
        console.log(report.join('\n'));
        for (const node of cluster.nodes) console.log(`----- ${node.address}\n${node.server.output().split('\n').filter((line) => line.includes('"level":') || line.includes('listing')).slice(-30).join('\n')}`);
      }
      assert.deepEqual(problems, []);
    }
    console.log(`      restart: ${report.join('; ')}`);
  });
});

async function waitFor(check: () => Promise<boolean>, timeoutMs: number, label: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${label}`);
    await new Promise((resolve) => setTimeout(resolve, 200)); // polling shared state, not a sleep for a result
  }
}

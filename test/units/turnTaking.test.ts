import { strict as assert } from 'assert';
import { TurnTaking } from '../../src/util/turnTaking';

function deferred() {
  let resolve!: () => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<void>((yes, no) => ((resolve = yes), (reject = no)));
  return { promise, resolve, reject };
}

describe('units: TurnTaking', () => {
  it('runs the work of one key one at a time, in order; other keys do not wait', async () => {
    const turns = new TurnTaking(10_000);
    const order: string[] = [];
    const first = deferred();
    const a1 = turns.inTurn('a', async () => { order.push('a1 start'); await first.promise; order.push('a1 end'); });
    const a2 = turns.inTurn('a', async () => void order.push('a2'));
    await turns.inTurn('b', async () => void order.push('b1'));
    assert.deepEqual(order, ['a1 start', 'b1']);
    first.resolve();
    await Promise.all([a1, a2]);
    assert.deepEqual(order, ['a1 start', 'b1', 'a1 end', 'a2']);
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(turns.busyKeys, 0, 'nothing is kept once the work is done');
  });

  it('knows whose work is waiting or running, until it settled', async () => {
    const turns = new TurnTaking(10_000);
    const first = deferred();
    const running = turns.inTurn('a', () => first.promise, 'ann');
    const queued = turns.inTurn('a', async () => undefined, 'bob');
    assert.deepEqual([...turns.waiting].sort(), ['ann', 'bob']);
    first.resolve();
    await Promise.all([running, queued]);
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual([...turns.waiting], []);
  });

  it('a failing turn fails alone; the next one still runs', async () => {
    const turns = new TurnTaking(10_000);
    const failing = turns.inTurn('a', async () => { throw new Error('boom'); });
    const next = turns.inTurn('a', async () => 'ran');
    await assert.rejects(failing, /boom/);
    assert.equal(await next, 'ran');
  });

  it('a turn that hangs holds up the next one only until the limit', async () => {
    const turns = new TurnTaking(30);
    const never = deferred();
    void turns.inTurn('a', () => never.promise);
    const startedAt = Date.now();
    await turns.inTurn('a', async () => undefined);
    assert.ok(Date.now() - startedAt < 1_000, 'the next turn started after the limit');
  });
});

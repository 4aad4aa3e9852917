import { GroupCommit } from '../../server/platform/group-commit';

/** A write that records its batches and finishes when the test says so. */
function recorder() {
  const batches: number[][] = [];
  const pending: (() => void)[] = [];
  const write = (items: number[]) =>
    new Promise<string[]>((resolve) => {
      batches.push(items);
      pending.push(() => resolve(items.map((i) => `r${i}`)));
    });
  const finishNext = async () => {
    (pending.shift() as () => void)();
    await new Promise((r) => setImmediate(r));
  };
  return { batches, write, finishNext };
}

const settle = () => new Promise((r) => setImmediate(r));

test('items added together share one write, and each gets its own result after it', async () => {
  const r = recorder();
  const group = new GroupCommit(r.write, { maxBatch: 200, gatherMs: 2 });
  const results = [1, 2, 3].map((i) => group.add(i));
  await settle();
  expect(r.batches).toEqual([[1, 2, 3]]);
  let answered = false;
  void Promise.all(results).then(() => (answered = true));
  await settle();
  expect(answered).toBe(false); // nothing is acknowledged before its write ends
  await r.finishNext();
  await expect(Promise.all(results)).resolves.toEqual(['r1', 'r2', 'r3']);
});

test('writes never overlap; what arrives meanwhile waits, and a batch never exceeds maxBatch', async () => {
  const r = recorder();
  const group = new GroupCommit(r.write, { maxBatch: 2, gatherMs: 2 });
  const all = [group.add(1)];
  await settle();
  all.push(group.add(2), group.add(3), group.add(4));
  await settle();
  expect(r.batches).toEqual([[1]]);
  await r.finishNext();
  expect(r.batches).toEqual([[1], [2, 3]]);
  await r.finishNext();
  expect(r.batches).toEqual([[1], [2, 3], [4]]);
  await r.finishNext();
  await expect(Promise.all(all)).resolves.toEqual(['r1', 'r2', 'r3', 'r4']);
});

test('after a large write the queue gathers up to half as many before the next, at most gatherMs', async () => {
  jest.useFakeTimers({ doNotFake: ['setImmediate'] });
  try {
    const r = recorder();
    const group = new GroupCommit(r.write, { maxBatch: 200, gatherMs: 2 });
    const first = Array.from({ length: 10 }, (_, i) => group.add(i));
    await settle();
    const late = [group.add(100)];
    await r.finishNext(); // ten written; one waiting, fewer than five: gather
    await Promise.all(first);
    expect(r.batches).toHaveLength(1);
    late.push(group.add(101), group.add(102), group.add(103));
    await settle();
    expect(r.batches).toHaveLength(1);
    late.push(group.add(104)); // the fifth: the next write starts at once
    await settle();
    expect(r.batches[1]).toEqual([100, 101, 102, 103, 104]);
    const one = group.add(200);
    await r.finishNext();
    await Promise.all(late);
    expect(r.batches).toHaveLength(2); // three wanted, one there
    jest.advanceTimersByTime(2); // …but no one waits longer than gatherMs
    await settle();
    expect(r.batches[2]).toEqual([200]);
    await r.finishNext();
    await expect(one).resolves.toBe('r200');
  } finally {
    jest.useRealTimers();
  }
});

test('a failed write fails every item in it and none after it', async () => {
  let calls = 0;
  const group = new GroupCommit<number, number>(async (items) => {
    calls += 1;
    if (calls === 1) throw new Error('disk full');
    return items;
  });
  const failed = [group.add(1), group.add(2)];
  await expect(Promise.all(failed.map((p) => p.catch((e: Error) => e.message)))).resolves.toEqual(['disk full', 'disk full']);
  await expect(group.add(3)).resolves.toBe(3);
});

/**
 * Group commit: items arriving together are written by one call of `write`
 * (one transaction, one disk sync), and each caller is answered only after
 * that write has finished, with its own result or the write's error.
 *
 * Writes never overlap (SQLite has one writer anyway). While one is under
 * way, new items queue for the next. Under load that alone makes batches
 * alternate, 1 then 49 then 1 then 49: the callers answered by a write come
 * back just after the next write has started with the one item that was
 * waiting. So before each write after the first, the queue may gather for
 * up to `gatherMs` until it holds half as many items as the last write did.
 * With little traffic the last write held one item, and nothing waits.
 */
export interface GroupCommitOptions {
  /** The most a write takes; more wait for the next. */
  maxBatch: number;
  /** The longest the queue gathers before a write. */
  gatherMs: number;
}

interface Pending<T, R> {
  item: T;
  resolve: (result: R) => void;
  reject: (err: unknown) => void;
}

export class GroupCommit<T, R> {
  private queue: Pending<T, R>[] = [];
  private writing = false;
  private gathered: (() => void) | undefined;
  private want = 0;

  constructor(
    private readonly write: (items: T[]) => Promise<R[]>,
    private readonly options: GroupCommitOptions = { maxBatch: 200, gatherMs: 2 },
  ) {}

  add(item: T): Promise<R> {
    return new Promise((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      if (this.gathered && this.queue.length >= this.want) this.gathered();
      if (!this.writing) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.writing = true;
    try {
      // Items added in this turn of the event loop join the first write.
      await new Promise<void>((resolve) => setImmediate(resolve));
      while (this.queue.length > 0) {
        const batch = this.queue.splice(0, this.options.maxBatch);
        try {
          const results = await this.write(batch.map((p) => p.item));
          batch.forEach((p, i) => p.resolve(results[i] as R));
        } catch (err) {
          batch.forEach((p) => p.reject(err));
        }
        await this.gather(Math.ceil(batch.length / 2));
      }
    } finally {
      this.writing = false;
    }
  }

  /** Waits until the queue holds `want` items, or gatherMs has passed. */
  private gather(want: number): Promise<void> {
    if (this.queue.length >= want) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.gathered = undefined;
        resolve();
      };
      const timer = setTimeout(done, this.options.gatherMs);
      this.want = want;
      this.gathered = done;
    });
  }
}

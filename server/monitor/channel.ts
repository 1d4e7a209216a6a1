/**
 * Fan-out of live items (sweeps, events) to subscribers, each with a bounded queue: a slow client
 * (a stalled browser tab, a congested link) never grows the server's memory. When its queue is
 * full the oldest item is dropped and the subscriber skips ahead; it learns how many it missed.
 *
 * `resumable` is the shape of every live endpoint: subscribe first, then replay the backlog after
 * the client's last id, then the live items, skipping any the backlog already gave: no gap between
 * backlog and live, no duplicate.
 */

export interface SubscribeOptions<T> {
  /** Items held for this subscriber before the oldest is dropped. */
  maxQueue?: number;
  filter?: (item: T) => boolean;
}

export class Subscription<T> {
  private readonly queue: T[] = [];
  private wake: (() => void) | null = null;
  private closed = false;
  /** Items dropped because this subscriber did not keep up. */
  skipped = 0;

  constructor(
    private readonly maxQueue: number,
    private readonly filter: ((item: T) => boolean) | undefined,
    private readonly onClose: (s: Subscription<T>) => void,
  ) {}

  /** @internal called by the channel */
  offer(item: T): void {
    if (this.closed || (this.filter && !this.filter(item))) return;
    if (this.queue.length >= this.maxQueue) {
      this.queue.shift();
      this.skipped++;
    }
    this.queue.push(item);
    this.wake?.();
  }

  get queued(): number {
    return this.queue.length;
  }

  /** The next item; null once closed or when `signal` aborts. */
  async next(signal?: AbortSignal): Promise<T | null> {
    for (;;) {
      if (this.closed || signal?.aborted) return null;
      const item = this.queue.shift();
      if (item !== undefined) return item;
      await new Promise<void>((resolve) => {
        const done = () => {
          this.wake = null;
          signal?.removeEventListener('abort', done);
          resolve();
        };
        this.wake = done;
        signal?.addEventListener('abort', done, { once: true });
      });
    }
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.queue.length = 0;
    this.onClose(this);
    this.wake?.();
  }
}

export class Channel<T> {
  private readonly subs = new Set<Subscription<T>>();

  constructor(private readonly defaultMaxQueue = 16) {}

  get subscriberCount(): number {
    return this.subs.size;
  }

  subscribe(options: SubscribeOptions<T> = {}): Subscription<T> {
    const sub = new Subscription<T>(Math.max(1, options.maxQueue ?? this.defaultMaxQueue), options.filter, (s) => this.subs.delete(s));
    this.subs.add(sub);
    return sub;
  }

  publish(item: T): void {
    for (const s of this.subs) s.offer(item);
  }

  closeAll(): void {
    for (const s of [...this.subs]) s.close();
  }
}

export interface ResumableOptions<T> {
  channel: Channel<T>;
  maxQueue?: number;
  filter?: (item: T) => boolean;
  /** Items after `afterId`, oldest first (called after subscribing). */
  backlog: (afterId: number | null) => Iterable<T>;
  idOf: (item: T) => number;
  afterId: number | null;
  signal?: AbortSignal;
}

export async function* resumable<T>(o: ResumableOptions<T>): AsyncGenerator<T, void, undefined> {
  const sub = o.channel.subscribe({ maxQueue: o.maxQueue, filter: o.filter });
  try {
    let last = o.afterId ?? -Infinity;
    for (const item of o.backlog(o.afterId)) {
      if (o.signal?.aborted) return;
      const id = o.idOf(item);
      if (id <= last) continue;
      last = id;
      yield item;
    }
    for (;;) {
      const item = await sub.next(o.signal);
      if (item === null) return;
      const id = o.idOf(item);
      if (id <= last) continue;
      last = id;
      yield item;
    }
  } finally {
    sub.close();
  }
}

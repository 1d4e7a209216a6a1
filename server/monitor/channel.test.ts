import { describe, expect, it } from 'vitest';
import { Channel, resumable } from './channel';

interface Item {
  id: number;
}

async function take<T>(gen: AsyncGenerator<T>, n: number): Promise<T[]> {
  const out: T[] = [];
  for (let i = 0; i < n; i++) {
    const r = await gen.next();
    if (r.done) break;
    out.push(r.value);
  }
  return out;
}

describe('Channel', () => {
  it('hands every item to every subscriber in order', async () => {
    const ch = new Channel<Item>(8);
    const a = ch.subscribe();
    const b = ch.subscribe();
    for (let id = 1; id <= 3; id++) ch.publish({ id });
    for (const s of [a, b]) expect([await s.next(), await s.next(), await s.next()].map((x) => x?.id)).toEqual([1, 2, 3]);
  });

  it('never holds more than maxQueue items for a slow subscriber: it skips ahead to the newest', async () => {
    const ch = new Channel<Item>();
    const slow = ch.subscribe({ maxQueue: 4 });
    for (let id = 1; id <= 1000; id++) ch.publish({ id });
    expect(slow.queued).toBe(4);
    expect(slow.skipped).toBe(996);
    const got = [];
    for (let i = 0; i < 4; i++) got.push((await slow.next())?.id);
    expect(got).toEqual([997, 998, 999, 1000]);
  });

  it('ends a waiting next() on close and on abort, and forgets the subscriber', async () => {
    const ch = new Channel<Item>();
    const s = ch.subscribe();
    const waiting = s.next();
    s.close();
    expect(await waiting).toBeNull();
    expect(ch.subscriberCount).toBe(0);
    const ac = new AbortController();
    const t = ch.subscribe();
    const w2 = t.next(ac.signal);
    ac.abort();
    expect(await w2).toBeNull();
  });
});

describe('resumable', () => {
  it('replays the backlog after the client id, then live items, without gap or duplicate', async () => {
    const ch = new Channel<Item>(16);
    const stored: Item[] = Array.from({ length: 10 }, (_x, i) => ({ id: i + 1 }));
    const gen = resumable({
      channel: ch,
      afterId: 6,
      idOf: (x) => x.id,
      // Items published between subscribing and reading the backlog are in both.
      backlog: (after) => {
        ch.publish({ id: 11 });
        stored.push({ id: 11 });
        return stored.filter((x) => x.id > (after ?? 0));
      },
    });
    const first = await take(gen, 5);
    ch.publish({ id: 12 });
    ch.publish({ id: 13 });
    const next = await take(gen, 2);
    expect([...first, ...next].map((x) => x.id)).toEqual([7, 8, 9, 10, 11, 12, 13]);
    await gen.return(undefined);
    expect(ch.subscriberCount).toBe(0);
  });

  it('subscribes before reading the backlog, so nothing published meanwhile is lost', async () => {
    const ch = new Channel<Item>(16);
    let subscribersAtBacklog = -1;
    const gen = resumable({
      channel: ch,
      afterId: null,
      idOf: (x) => x.id,
      backlog: () => {
        subscribersAtBacklog = ch.subscriberCount;
        ch.publish({ id: 1 });
        return [];
      },
    });
    const [item] = await take(gen, 1);
    expect(subscribersAtBacklog).toBe(1);
    expect(item?.id).toBe(1);
    await gen.return(undefined);
  });

  it('ends when the signal aborts and unsubscribes', async () => {
    const ch = new Channel<Item>();
    const ac = new AbortController();
    const gen = resumable({ channel: ch, afterId: null, idOf: (x: Item) => x.id, backlog: () => [], signal: ac.signal });
    const pending = gen.next();
    ac.abort();
    expect((await pending).done).toBe(true);
    expect(ch.subscriberCount).toBe(0);
  });
});

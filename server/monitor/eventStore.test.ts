import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '@/server/db';
import type { NewMonitorEvent } from './events';
import { EventStore } from './eventStore';
import { monitorMigrations } from './schema';

const ev = (at: number, type: NewMonitorEvent['type'], ref: string): NewMonitorEvent => ({
  at,
  type,
  severity: type === 'oom_kill' ? 'critical' : 'info',
  ref,
  name: null,
  message: `${type} in ${ref}`,
  details: { at },
  actor: null,
});

describe('EventStore', () => {
  let db: Db;
  let store: EventStore;
  beforeEach(() => {
    db = openDatabase(':memory:', monitorMigrations);
    store = new EventStore(db, 50);
  });
  afterEach(() => db.close());

  it('lists newest first with type, cgroup and time filters, paged', () => {
    store.add([ev(1, 'oom_kill', 'web'), ev(2, 'cpu_throttled', 'web'), ev(3, 'oom_kill', 'db'), ev(4, 'oom_kill', 'web/child'), ev(5, 'limits_changed', '/system.slice')]);
    expect(store.list({}).events.map((e) => e.at)).toEqual([5, 4, 3, 2, 1]);
    expect(store.list({ types: ['oom_kill'] }).events.map((e) => e.ref)).toEqual(['web/child', 'db', 'web']);
    expect(store.list({ ref: 'web' }).events.map((e) => e.at)).toEqual([2, 1]);
    expect(store.list({ ref: 'web/' }).events.map((e) => e.at)).toEqual([4, 2, 1]);
    expect(store.list({ since: 4 }).events.map((e) => e.at)).toEqual([5, 4]);
    const page1 = store.list({}, 2);
    expect(page1.events.map((e) => e.at)).toEqual([5, 4]);
    const page2 = store.list({}, 2, page1.nextBeforeId);
    expect(page2.events.map((e) => e.at)).toEqual([3, 2]);
    expect(store.list({}, 2, store.list({}, 4).nextBeforeId).nextBeforeId).toBeNull();
    expect(store.list({}).events[0]?.details).toEqual({ at: 5 });
  });

  it('keeps at most maxEvents, dropping the oldest', () => {
    for (let i = 0; i < 120; i++) store.add([ev(i, 'cgroup_appeared', `c${i}`)]);
    store.prune();
    const all = store.list({}, 500).events;
    expect(all).toHaveLength(50);
    expect(all.at(-1)?.at).toBe(70);
  });

  it('streams new events matching the filter and resumes after an id without gap or duplicate', async () => {
    const [a, b] = store.add([ev(1, 'oom_kill', 'web'), ev(2, 'cpu_throttled', 'web')]);
    const ac = new AbortController();
    const stream = store.stream({ types: ['oom_kill'] }, 0, ac.signal);
    const first = await stream.next();
    expect(first.value?.id).toBe(a!.id);
    store.add([ev(3, 'cpu_throttled', 'db'), ev(4, 'oom_kill', 'db')]);
    const second = await stream.next();
    expect(second.value).toMatchObject({ at: 4, ref: 'db' });
    // A reconnect after the first event gets the rest once.
    const resumed = store.stream({}, a!.id, ac.signal);
    const ids = [];
    for (let i = 0; i < 3; i++) ids.push((await resumed.next()).value?.at);
    expect(ids).toEqual([2, 3, 4]);
    expect(b!.id).toBeGreaterThan(a!.id);
    ac.abort();
    expect((await stream.next()).done).toBe(true);
  });
});

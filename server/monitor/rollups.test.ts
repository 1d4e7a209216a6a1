import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '@/server/db';
import { KeyStore } from './keys';
import { MinuteAccumulator, minuteOf, RollupStore } from './rollups';
import { monitorMigrations } from './schema';
import { S, SERIES_COUNT } from './series';

const row = (cpu: number, mem: number) => {
  const r = new Float32Array(SERIES_COUNT).fill(NaN);
  r[S.cpuCores] = cpu;
  r[S.memoryBytes] = mem;
  return r;
};

describe('MinuteAccumulator', () => {
  it('averages and maximises each series per cgroup, ignoring unknown values', () => {
    const acc = new MinuteAccumulator();
    acc.reset(10);
    acc.add(3, row(0.5, 100));
    acc.add(3, row(1.5, 300));
    acc.add(3, row(NaN, 200));
    const blob = acc.blob(3);
    expect(blob[S.cpuCores]).toBe(1);
    expect(blob[SERIES_COUNT + S.cpuCores]).toBe(1.5);
    expect(blob[S.memoryBytes]).toBe(200);
    expect(blob[SERIES_COUNT + S.memoryBytes]).toBe(300);
    expect(blob[S.pids]).toBeNaN();
    expect(acc.hasData(3)).toBe(true);
    expect(acc.hasData(2)).toBe(false);
    expect(acc.hasData(5000)).toBe(false);
    acc.clear(3);
    expect(acc.hasData(3)).toBe(false);
  });
});

describe('RollupStore and KeyStore', () => {
  let db: Db;
  beforeEach(() => {
    db = openDatabase(':memory:', monitorMigrations);
  });
  afterEach(() => db.close());

  it('gives a ref the same id for as long as it is kept', () => {
    const keys = new KeyStore(db);
    const a = keys.idOf('containers/web', 1000);
    expect(keys.idOf('containers/web')).toBe(a);
    expect(keys.idOf('/system.slice')).not.toBe(a);
    expect(new KeyStore(db).find('containers/web')).toBe(a); // after a restart
    expect(keys.refOf(a)).toBe('containers/web');
  });

  it('writes one compact row per cgroup and minute, reads a range back, prunes past retention', () => {
    const keys = new KeyStore(db);
    const store = new RollupStore(db);
    const web = keys.idOf('web');
    const other = keys.idOf('other');
    const acc = new MinuteAccumulator();
    const t0 = minuteOf(Date.UTC(2026, 0, 1));
    for (let m = 0; m < 5; m++) {
      acc.reset(t0 + m);
      acc.add(0, row(m, 1000 * m));
      acc.add(1, row(9, 9));
      store.writeMinute(t0 + m, [
        { keyId: web, blob: acc.blob(0) },
        { keyId: other, blob: acc.blob(1) },
      ]);
    }
    const rows = store.read(web, t0 + 1, t0 + 4);
    expect(rows.map((r) => r.minute)).toEqual([t0 + 1, t0 + 2, t0 + 3]);
    expect(rows.map((r) => r.avg[S.cpuCores])).toEqual([1, 2, 3]);
    expect(rows[0]!.max[S.memoryBytes]).toBe(1000);
    const bytes = db.prepare<[], { n: number }>('SELECT SUM(length(data)) AS n FROM monitor_rollups').get()!.n;
    expect(bytes).toBe(10 * SERIES_COUNT * 2 * 4);
    expect(store.prune(t0 + 3)).toBe(6);
    expect(store.read(web, 0, t0 + 10).map((r) => r.minute)).toEqual([t0 + 3, t0 + 4]);
  });

  it('forgets refs not seen for the retention time, with their rows', () => {
    const keys = new KeyStore(db);
    const store = new RollupStore(db);
    const old = keys.idOf('old', 1000);
    const fresh = keys.idOf('fresh', 1000);
    keys.markSeen([fresh], 50_000);
    store.writeMinute(1, [{ keyId: old, blob: new Float32Array(SERIES_COUNT * 2) }]);
    expect(keys.pruneUnseen(10_000)).toBe(1);
    expect(keys.find('old')).toBeUndefined();
    expect(keys.find('fresh')).toBe(fresh);
    expect(store.read(old, 0, 10)).toEqual([]);
  });
});

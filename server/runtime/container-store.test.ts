import { describe, expect, it } from 'vitest';
import { openDatabase } from '@/server/db';
import { ContainerStore, type ContainerRecord } from './container-store';
import { runtimeMigrations } from './schema';
import { parseContainerSpec } from './spec';

function record(id: string, name: string, patch: Partial<ContainerRecord> = {}): ContainerRecord {
  return {
    id, name, spec: parseContainerSpec({ image: 'busybox', name, limits: { memory: '1m' } }), imageRef: 'busybox:latest',
    imageDigest: 'sha256:' + 'a'.repeat(64), state: 'created', pid: null, conmonPid: null, exitCode: null, oomKilled: false,
    createdAt: 1, startedAt: null, finishedAt: null, restartCount: 0, stoppedByUser: false, tenant: null,
    cgroupRef: `containers/${id}`, network: null, error: null, ...patch,
  };
}

describe('ContainerStore', () => {
  const db = openDatabase(':memory:', runtimeMigrations);
  const store = new ContainerStore(db);
  const a = 'a1'.padEnd(64, '0');
  const b = 'b2'.padEnd(64, '0');

  it('inserts, finds by name, id and prefix, and round-trips the spec', () => {
    store.insert(record(a, 'web', { tenant: 't1', createdAt: 1 }));
    store.insert(record(b, 'db', { createdAt: 2 }));
    expect(store.find('web')?.id).toBe(a);
    expect(store.find(a)?.name).toBe('web');
    expect(store.find('b200')?.name).toBe('db');
    expect(store.find('b20')).toBeNull(); // prefixes start at 4 digits
    expect(store.find('zz')).toBeNull();
    expect(store.get(a)?.spec.limits.memory).toBe(1024 * 1024);
  });

  it('refuses a taken name as a conflict', () => {
    expect(() => store.insert(record('c3'.padEnd(64, '0'), 'web'))).toThrow(/already in use/);
  });

  it('updates fields, booleans and json', () => {
    store.update(a, { state: 'exited', exitCode: 137, oomKilled: true, network: { network: 'n', ips: [], ports: [] } });
    expect(store.get(a)).toMatchObject({ state: 'exited', exitCode: 137, oomKilled: true, network: { network: 'n' } });
  });

  it('lists with filters and finds users of an image', () => {
    expect(store.list().map((r) => r.name)).toEqual(['web', 'db']);
    expect(store.list({ tenant: 't1' }).map((r) => r.name)).toEqual(['web']);
    expect(store.list({ states: ['created'] }).map((r) => r.name)).toEqual(['db']);
    expect(store.usingImage('sha256:' + 'a'.repeat(64))).toHaveLength(2);
    store.delete(b);
    expect(store.get(b)).toBeNull();
  });
});

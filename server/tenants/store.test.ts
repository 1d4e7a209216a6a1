import { describe, expect, it } from 'vitest';
import { openDatabase } from '../db';
import { emptyTenantLimits } from './model';
import { tenantMigrations } from './schema';
import { TenantStore, UID_RANGE_SIZE, UID_RANGE_START } from './store';

describe('TenantStore', () => {
  it('keeps bigint sizes exact and hands out disjoint uid ranges', () => {
    const store = new TenantStore(openDatabase(':memory:', tenantMigrations));
    const limits = { ...emptyTenantLimits(), memoryMax: 2n ** 40n, ioMax: [{ device: '8:0', rbps: 1048576n, wbps: null, riops: null, wiops: null }] };
    const base = store.nextUidBase();
    expect(base).toBe(UID_RANGE_START);
    store.insert({ name: 'sally', displayName: 'Sally', limits, cpusetExclusive: true, networkIngressBps: 1000, networkEgressBps: null, uidBase: base, uidCount: UID_RANGE_SIZE, createdAt: 1 });
    expect(store.get('sally')?.limits).toEqual(limits);
    expect(store.nextUidBase()).toBe(UID_RANGE_START + UID_RANGE_SIZE);
    store.remove('sally');
    expect(store.nextUidBase()).toBe(UID_RANGE_START);
    expect(() => store.require('sally')).toThrow(/no tenant named "sally"/);
  });
});

import { describe, expect, it } from 'vitest';
import { emptyTenantLimits, type Tenant, type TenantLimits } from './model';
import { checkCapacity } from './overcommit';

const GiB = 1024n ** 3n;
const host = { memoryBytes: Number(2n * GiB), cpus: 2 };

function tenant(name: string, limits: Partial<TenantLimits>, cpusetExclusive = false): Tenant {
  return { name, displayName: null, limits: { ...emptyTenantLimits(), ...limits }, cpusetExclusive, networkIngressBps: null, networkEgressBps: null, uidBase: 0, uidCount: 0, createdAt: 0 };
}

describe('checkCapacity', () => {
  it('is quiet for Sally and Joe on their own CPUs within memory', () => {
    const sally = tenant('sally', { cpusetCpus: '0', memoryMax: 512n * 1024n * 1024n });
    const joe = tenant('joe', { cpusetCpus: '1', memoryMax: 256n * 1024n * 1024n });
    expect(checkCapacity(joe, [sally], host)).toEqual({ warnings: [], errors: [] });
  });

  it('warns when memory promised exceeds the host', () => {
    const r = checkCapacity(tenant('b', { memoryMax: 1536n * 1024n * 1024n }), [tenant('a', { memoryMax: GiB })], host);
    expect(r.warnings.join()).toMatch(/promised 2\.50 GiB in all, more than the host's 2\.00 GiB/);
  });

  it('warns when CPU quotas add up beyond the cores', () => {
    const r = checkCapacity(tenant('b', { cpuMaxQuotaUs: 150_000 }), [tenant('a', { cpuMaxQuotaUs: 100_000 })], host);
    expect(r.warnings.join()).toMatch(/add up to 2\.5 CPUs, more than the host's 2/);
  });

  it('warns about shared cpusets and refuses to share an exclusive one', () => {
    const shared = checkCapacity(tenant('b', { cpusetCpus: '0-1' }), [tenant('a', { cpusetCpus: '1' })], host);
    expect(shared.warnings).toContain('cpuset: CPUs 1 are shared with a');
    const exclusive = checkCapacity(tenant('b', { cpusetCpus: '0-1' }), [tenant('a', { cpusetCpus: '1' }, true)], host);
    expect(exclusive.errors).toEqual([{ field: 'cpusetCpus', message: 'CPUs 1 are exclusive to a' }]);
    const mineExclusive = checkCapacity(tenant('b', { cpusetCpus: '1' }, true), [tenant('a', {})], host);
    expect(mineExclusive.errors[0]?.message).toMatch(/exclusive to b but a may use them too \(it has no cpuset\)/);
  });

  it('refuses CPUs the host does not have', () => {
    expect(checkCapacity(tenant('a', { cpusetCpus: '0-3' }), [], host).errors[0]?.message).toBe('the host has no CPU 2-3 (it has 0-1)');
  });
});

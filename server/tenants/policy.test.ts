import { describe, expect, it } from 'vitest';
import { parseContainerSpec } from '../runtime/spec';
import { emptyTenantLimits, type Tenant } from './model';
import { checkMemberSpec, checkWithinTenant, placeInTenant } from './policy';

const sally: Tenant = {
  name: 'sally', displayName: null, cpusetExclusive: false, networkIngressBps: 1_000_000, networkEgressBps: null, uidBase: 1_000_000, uidCount: 65536, createdAt: 0,
  limits: { ...emptyTenantLimits(), memoryMax: 512n * 1024n * 1024n, cpusetCpus: '0', cpuMaxQuotaUs: 100_000, pidsMax: 100 },
};

describe('checkMemberSpec', () => {
  it('lets a plain container through', () => {
    expect(() => checkMemberSpec(parseContainerSpec({ image: 'busybox', command: ['true'] }))).not.toThrow();
  });
  it.each([
    [{ volumes: ['/etc:/host-etc'] }, /bind host paths/],
    [{ security: { privileged: true } }, /privileged/],
    [{ security: { capAdd: ['SYS_ADMIN'] } }, /add capabilities/],
    [{ namespaces: { pid: 'host' } }, /host's pid namespace/],
    [{ namespaces: { network: 'ns:blue' } }, /named network namespace/],
    [{ security: { seccomp: 'unconfined' } }, /seccomp/],
  ])('refuses %j', (extra, message) => {
    expect(() => checkMemberSpec(parseContainerSpec({ image: 'busybox', ...extra }))).toThrow(message);
  });
});

describe('placeInTenant', () => {
  it('maps the container into the tenant uid range and caps its network', () => {
    const spec = placeInTenant(parseContainerSpec({ image: 'busybox', network: 'cgdash0', networkIngressRate: 5_000_000 }), sally);
    expect(spec.tenant).toBe('sally');
    expect(spec.namespaces.user).toBe('new');
    expect(spec.usernsMapping).toEqual({ containerId: 0, hostId: 1_000_000, size: 65536 });
    expect(spec.networkIngressRate).toBe(1_000_000);
    expect(spec.networkEgressRate).toBeUndefined();
  });
});

describe('checkWithinTenant', () => {
  it('refuses limits above the slice, naming the field', () => {
    const limits = (l: object) => parseContainerSpec({ image: 'busybox', limits: l }).limits;
    expect(() => checkWithinTenant(limits({ memory: '1g' }), sally)).toThrow(/above the slice's/);
    expect(() => checkWithinTenant(limits({ cpus: 2 }), sally)).toThrow(/2 CPUs is above the slice's 1/);
    expect(() => checkWithinTenant(limits({ cpusetCpus: '0-1' }), sally)).toThrow(/not all in the slice's 0/);
    expect(() => checkWithinTenant(limits({ pidsLimit: -1 }), sally)).toThrow(/unlimited/);
    expect(() => checkWithinTenant(limits({ memory: '256m', cpus: 0.5, cpusetCpus: '0' }), sally)).not.toThrow();
  });
});

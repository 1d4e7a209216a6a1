import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { limitsInput, toLimitsPatch } from './limits';

describe('limitsInput', () => {
  it('parses sizes, cpus and lists into a LimitsPatch', () => {
    const input = limitsInput.parse({ cpus: 0.5, memoryMax: '256M', memorySwapMax: 'max', cpusetCpus: '0-1', pidsMax: 64 });
    expect(toLimitsPatch(input)).toEqual({
      cpuMaxQuotaUs: 50_000,
      cpuMaxPeriodUs: 100_000,
      memoryMax: 268435456n,
      memorySwapMax: null,
      cpusetCpus: '0-1',
      pidsMax: 64,
    });
  });

  it('null cpus removes the quota', () => {
    expect(toLimitsPatch(limitsInput.parse({ cpus: null }))).toEqual({ cpuMaxQuotaUs: null, cpuMaxPeriodUs: 100_000 });
  });

  it('puts each error on its field', () => {
    const r = limitsInput.safeParse({ memoryMax: '12 parsecs', cpuWeight: 0, cpusetCpus: '0-', extra: 1 });
    expect(r.success).toBe(false);
    const errors = z.flattenError(r.error!);
    expect(errors.fieldErrors.memoryMax?.[0]).toMatch(/not a size/);
    expect(errors.fieldErrors.cpuWeight?.[0]).toMatch(/at least 1/);
    expect(errors.fieldErrors.cpusetCpus?.[0]).toMatch(/0-3,6/);
    expect(errors.formErrors[0]).toMatch(/extra/);
  });
});

import { describe, expect, it } from 'vitest';
import { Limits } from '@/server/runtime/spec';
import { limitsChange, limitsErrorKey, limitsValuesOf } from './limitsForm';

describe('limitsValuesOf', () => {
  it('writes each limit as it would be typed, and parses back to the same limits', () => {
    const limits = Limits.parse({ cpus: 0.5, memory: '64m', memorySwap: -1, pidsLimit: 50, deviceReadBps: ['8:0:1m'], deviceWriteIops: ['8:0:100'] });
    const v = limitsValuesOf(limits);
    expect(v).toMatchObject({ cpus: '0.5', memory: '64M', memorySwap: '-1', pidsLimit: '50', cpuWeight: '', deviceReadBps: ['8:0:1M'], deviceWriteIops: ['8:0:100'] });
    const again = Limits.parse({ cpus: Number(v.cpus), memory: v.memory, memorySwap: v.memorySwap, pidsLimit: Number(v.pidsLimit), deviceReadBps: v.deviceReadBps, deviceWriteIops: v.deviceWriteIops });
    expect(again).toEqual(limits);
  });
});

describe('limitsChange', () => {
  const before = limitsValuesOf(Limits.parse({ memory: '64m', cpus: 1, deviceReadBps: ['8:0:1m'] }));

  it('sends only what changed; an emptied field removes the limit', () => {
    const { change, errors } = limitsChange(before, { ...before, memory: '128M', cpus: '', pidsLimit: '20' });
    expect(errors).toEqual({});
    expect(change).toEqual({ memory: '128M', cpus: null, pidsLimit: 20 });
    expect(Object.keys(limitsChange(before, before).change)).toEqual([]);
  });

  it('sends a whole device list when a row changed, blank rows dropped', () => {
    expect(limitsChange(before, { ...before, deviceReadBps: ['8:0:2m', ' '] }).change).toEqual({ deviceReadBps: ['8:0:2m'] });
    expect(limitsChange(before, { ...before, deviceReadBps: [] }).change).toEqual({ deviceReadBps: [] });
  });

  it('names a number field that holds no number', () => {
    expect(limitsChange(before, { ...before, cpuWeight: 'lots' }).errors).toEqual({ 'limits.cpuWeight': '"lots" is not a number' });
  });
});

describe('limitsErrorKey', () => {
  it('keys server errors by the editor inputs', () => {
    expect(limitsErrorKey('limits.memory')).toBe('limits.memory');
    expect(limitsErrorKey('memorySwap')).toBe('limits.memorySwap');
    expect(limitsErrorKey('limits.deviceReadBps.1.device')).toBe('limits.deviceReadBps.1');
  });
});

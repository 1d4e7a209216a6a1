import { describe, expect, it } from 'vitest';
import { fixtureDir, fixturePath } from '../testing';
import { v2PsiDriver } from './psi';

const v2 = fixturePath('v2');

describe('v2 PSI', () => {
  it('reads cpu, memory and io pressure with full lines', async () => {
    const psi = (await v2PsiDriver.readUsage?.(await fixtureDir(v2, 'cpu', '/system.slice/cgdash.service/cgdash/web'), new Set(['psi'])))?.psi;
    expect(psi?.cpu).toEqual({
      some: { avg10: 12.5, avg60: 8.25, avg300: 3, totalUsec: 987654n },
      full: { avg10: 1.5, avg60: 0.75, avg300: 0.25, totalUsec: 12345n },
    });
    expect(psi?.io?.full?.totalUsec).toBe(12345n);
  });

  it('reads the root cpu.pressure without a full line', async () => {
    const psi = (await v2PsiDriver.readUsage?.(await fixtureDir(v2, 'cpu', '/'), new Set(['psi'])))?.psi;
    expect(psi?.cpu).toEqual({ some: { avg10: 2.5, avg60: 1.25, avg300: 0.5, totalUsec: 123456789n }, full: null });
    expect(psi?.memory?.full?.totalUsec).toBe(4000n);
  });

  it('gives null for a missing pressure file', async () => {
    const psi = (await v2PsiDriver.readUsage?.(await fixtureDir(v2, 'cpu', '/system.slice/legacy.service'), new Set(['psi'])))?.psi;
    expect(psi?.io).toBeNull();
    expect(psi?.cpu).not.toBeNull();
  });
});

/**
 * Pressure stall information (cpu/memory/io.pressure). Core files of the unified hierarchy: they
 * exist without any controller enabled, so a hybrid host's cgroup2 mount has them too.
 */
import type { ControllerDriver } from '../driver';
import { readOptional, type CgroupDir } from '../fsio';
import type { PsiPair } from '../model';
import { parsePsi } from '../parse';

async function readPressure(d: CgroupDir, file: 'cpu.pressure' | 'memory.pressure' | 'io.pressure'): Promise<PsiPair | null> {
  // Absent without CONFIG_PSI; EOPNOTSUPP when disabled via cgroup.pressure or psi=0.
  const text = await readOptional(d, file);
  return text === null ? null : parsePsi(text, file);
}

export const v2PsiDriver: ControllerDriver = {
  name: 'v2 psi',
  patchKeys: [],
  usageAreas: ['psi'],

  async readUsage(d) {
    const cpu = await readPressure(d, 'cpu.pressure');
    const memory = await readPressure(d, 'memory.pressure');
    const io = await readPressure(d, 'io.pressure');
    if (!cpu && !memory && !io) return {};
    return { psi: { cpu, memory, io } };
  },
};

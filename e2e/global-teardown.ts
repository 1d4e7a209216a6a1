import { removeTestTree } from '../server/cgroup/testing';
import { detectHierarchies, dirOf } from '../server/cgroup/mounts';
import { readState, removeDir, stateFile } from './server';

/** Stops the server and removes everything the run made: data dir, run dir, test cgroup root. */
export default async function globalTeardown() {
  const state = readState();
  try {
    process.kill(state.pid, 'SIGTERM');
  } catch {
    /* already gone */
  }
  for (let i = 0; i < 100; i++) {
    try {
      process.kill(state.pid, 0);
      await new Promise((r) => setTimeout(r, 100));
    } catch {
      break;
    }
  }
  const { hierarchies } = await detectHierarchies({ managedRoot: state.cgroupRoot });
  await removeTestTree(hierarchies.map((h) => dirOf(h, h.managedRoot)));
  removeDir(state.dataDir);
  removeDir(state.runDir);
  removeDir(stateFile);
}

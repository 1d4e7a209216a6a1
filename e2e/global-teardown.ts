import { removeTestTree } from '../server/cgroup/testing';
import { removeTestInstance } from '../server/testing/instance';
import { readState, removeFile, stateFile } from './server';

/** Stops the server and removes everything the run made: cgroups, bridge, data and run dirs. */
export default async function globalTeardown() {
  const state = readState();
  try {
    process.kill(state.pid, 'SIGTERM');
  } catch {
    /* already gone */
  }
  for (let i = 0; i < 150; i++) {
    try {
      process.kill(state.pid, 0);
      await new Promise((r) => setTimeout(r, 100));
    } catch {
      break;
    }
  }
  // Containers outlive the server by design: the specs remove theirs; whatever a failed spec
  // left dies with the test root (removeTestTree kills only processes inside it).
  await removeTestTree(state.managedRootDirs);
  await removeTestInstance(state.instance);
  removeFile(stateFile());
}

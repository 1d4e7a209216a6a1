import { removeTestTree } from '../server/cgroup/testing';
import { removeTestInstance } from '../server/testing/instance';
import { trpcCall } from './api';
import { readState, removeFile, stateFile } from './server';

/** Stops the server and removes everything the run made: cgroups, bridge, data and run dirs. */
export default async function globalTeardown() {
  const state = readState();
  // Containers a failed spec left: removed by the server, so the network plugins take back their
  // veths and iptables rules (killing them with the test root would leave those behind).
  const left = await trpcCall<{ id: string }[]>(state.url, 'query', 'containers.list', { all: true }, { token: state.adminToken }).catch(() => []);
  for (const c of left) await trpcCall(state.url, 'mutation', 'containers.remove', { ref: c.id, force: true }, { token: state.adminToken }).catch(() => undefined);
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

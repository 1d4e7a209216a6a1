import { dirOf } from '../../cgroup/mounts';
import { hostReadProcedure, router } from '../trpc';

export const systemRouter = router({
  /** Host facts, the cgroup layout and the managed root in every hierarchy (`cgdash info`). */
  info: hostReadProcedure.query(async ({ ctx }) => {
    const { cgroups, host, settings } = ctx.services;
    const [facts, nodes] = await Promise.all([host.facts({ cgroupMode: cgroups.mode }), cgroups.list()]);
    return {
      version: settings.version,
      cgroupMode: cgroups.mode,
      readOnlyReason: settings.readOnlyReason,
      managedRootName: cgroups.managedRootName,
      hierarchies: cgroups.hierarchies.map((h) => ({
        id: h.id,
        version: h.version,
        mountPoint: h.mountPoint,
        controllers: h.controllers,
        managedRoot: h.managedRoot,
        managedRootDir: dirOf(h, h.managedRoot),
      })),
      counts: {
        cgroups: nodes.length,
        managedCgroups: nodes.filter((n) => n.managedPath !== null).length,
      },
      host: facts,
    };
  }),
});

import { authRouter } from './routers/auth';
import { cgroupsRouter } from './routers/cgroups';
import { namespacesRouter } from './routers/namespaces';
import { processesRouter } from './routers/processes';
import { systemRouter } from './routers/system';
import { router } from './trpc';

export const appRouter = router({
  auth: authRouter,
  cgroups: cgroupsRouter,
  namespaces: namespacesRouter,
  processes: processesRouter,
  system: systemRouter,
});

export type AppRouter = typeof appRouter;

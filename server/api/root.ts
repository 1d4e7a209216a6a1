import { authRouter } from './routers/auth';
import { cgroupsRouter } from './routers/cgroups';
import { containersRouter } from './routers/containers';
import { imagesRouter } from './routers/images';
import { networksRouter } from './routers/networks';
import { monitorRouter } from './routers/monitor';
import { namespacesRouter } from './routers/namespaces';
import { processesRouter } from './routers/processes';
import { auditRouter } from './routers/audit';
import { systemRouter } from './routers/system';
import { tenantsRouter } from './routers/tenants';
import { usersRouter } from './routers/users';
import { router } from './trpc';

export const appRouter = router({
  auth: authRouter,
  cgroups: cgroupsRouter,
  monitor: monitorRouter,
  namespaces: namespacesRouter,
  processes: processesRouter,
  system: systemRouter,
  tenants: tenantsRouter,
  users: usersRouter,
  audit: auditRouter,
  containers: containersRouter,
  images: imagesRouter,
  networks: networksRouter,
});

export type AppRouter = typeof appRouter;

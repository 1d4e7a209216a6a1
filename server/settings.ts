import { z } from 'zod';
import pkg from '../package.json';

const port = z.coerce.number().int().min(1).max(65535);

/** Every setting the server reads from its environment, checked once at start. */
export const settingsSchema = z.object({
  HOST: z.string().min(1).default('127.0.0.1'),
  PORT: port.default(3000),
  CGDASH_DATA_DIR: z.string().startsWith('/', 'must be an absolute path').default('/var/lib/cgdash'),
  CGDASH_RUN_DIR: z.string().startsWith('/', 'must be an absolute path').default('/run/cgdash'),
  CGDASH_CGROUP_ROOT: z
    .string()
    .min(1)
    .regex(/^\/?[A-Za-z0-9_][A-Za-z0-9_.@-]*(\/[A-Za-z0-9_][A-Za-z0-9_.@-]*)*$/, 'a cgroup path such as "cgdash" or "/cgdash.slice/cgdash"')
    .default('cgdash'),
  CGDASH_ADMIN_TOKEN: z.string().min(24, 'must be at least 24 characters').optional(),
  /** Bearer token for GET /metrics; unset means a user API token is required. */
  CGDASH_METRICS_TOKEN: z.string().min(16).optional(),
  CGDASH_SAMPLE_INTERVAL_MS: z.coerce.number().int().min(200).max(60_000).default(1000),
  CGDASH_RUNTIME: z.enum(['auto', 'runc', 'crun']).default('auto'),
  /** The default container network's bridge and subnet, and the pool new networks come from. */
  CGDASH_NETWORK_BRIDGE: z.string().regex(/^[a-zA-Z][a-zA-Z0-9_.-]{0,14}$/, 'an interface name of at most 15 characters').default('cgdash0'),
  CGDASH_NETWORK_SUBNET: z.string().regex(/^\d{1,3}(\.\d{1,3}){3}\/\d{1,2}$/, 'an IPv4 subnet like 10.89.0.0/24').default('10.89.0.0/24'),
  CGDASH_NETWORK_POOL: z.string().regex(/^\d{1,3}(\.\d{1,3}){3}\/\d{1,2}$/, 'an IPv4 subnet like 10.89.0.0/16').default('10.89.0.0/16'),
  /** Run Next.js in development mode (hot reload); never in production. */
  CGDASH_DEV: z.enum(['0', '1']).default('0'),
});

export type Settings = z.infer<typeof settingsSchema> & {
  version: string;
  /** Not root: the server starts read-only and says why. */
  readOnlyReason: string | null;
};

export function loadSettings(env: Record<string, string | undefined> = process.env): Settings {
  const parsed = settingsSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new Error(`invalid settings:\n${lines.join('\n')}`);
  }
  const uid = process.getuid?.() ?? 0;
  return {
    ...parsed.data,
    version: pkg.version,
    readOnlyReason:
      uid === 0 ? null : `cgdash runs as uid ${uid}, not root: cgroups, namespaces and containers can be viewed but not changed`,
  };
}

/**
 * ContainerSpec: the one description of a container that the UI form, the CLI (`parseRunArgs`)
 * and the API all validate with. Inputs may use docker's short strings (`"512m"`, `"/a:/b:ro"`,
 * `"8080:80/udp"`); the parsed spec holds structured values in plain units (bytes, bits per
 * second, microseconds), so what is stored in SQLite re-parses to itself.
 *
 * Checks that need the host (a volume's host path exists, a /dev path's major:minor, a
 * container name being unique) happen at create time in `resolve.ts`/the engine, not here.
 */
import { z } from 'zod';
import { CgdashError, isCgdashError } from '@/server/lib/errors';
import { parseSize } from '@/server/lib/units';
import { normalizeCapability } from './capabilities';
import { runArgsToInput, type RunArgs } from './run-args';
import {
  checkContainerPath,
  checkDevice,
  checkHostPath,
  parseRate,
  parseDeviceRate,
  parseIdMapping,
  parsePortMapping,
  parseRestartPolicy,
  parseTmpfs,
  parseVolume,
} from './spec-formats';

export type { VolumeMount, TmpfsMount, PortMapping, DeviceRate, IdMapping, RestartPolicy } from './spec-formats';

/** Run a string parser inside zod, turning its CgdashError into an issue at this path. */
function viaParser<T>(parse: (text: string) => T) {
  return (text: string, ctx: z.RefinementCtx): T => {
    try {
      return parse(text);
    } catch (err) {
      ctx.addIssue({ code: 'custom', message: isCgdashError(err) ? err.message : String(err) });
      return z.NEVER;
    }
  };
}

/**
 * A value a form sends structured and the CLI sends as docker's short string. The string
 * branch is tried first so a parse error keeps its own message (a plain union would say only
 * "Invalid input").
 */
function stringOr<S extends z.ZodType>(structured: S, parse: (text: string) => z.input<S>) {
  return z.union([z.string(), structured]).transform((value, ctx): z.output<S> => {
    if (typeof value !== 'string') return value as z.output<S>;
    const parsed = viaParser(parse)(value, ctx);
    if (parsed === z.NEVER) return z.NEVER;
    const checked = structured.safeParse(parsed);
    if (!checked.success) {
      for (const issue of checked.error.issues) ctx.addIssue({ code: 'custom', message: issue.message, path: issue.path });
      return z.NEVER;
    }
    return checked.data as z.output<S>;
  });
}

/** Bytes as a number or a docker size string (`256m`, `1g`). */
function bytes(field: string) {
  return stringOr(z.number().int().positive(), (t) => {
    const n = parseSize(t, field);
    if (n === null || n <= 0n) throw new Error(`${field}: "${t}" must be a positive size`);
    return Number(n);
  });
}

/** docker's name rule. */
export const containerNamePattern = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;
export const ContainerName = z
  .string()
  .max(64, 'a name is at most 64 characters')
  .regex(containerNamePattern, 'a name starts with a letter or digit and has only letters, digits, _ . -');

/** Namespace choice: a new one, the host's, another container's, or (network only) a named netns. */
const nsTarget = /^(new|host|container:[a-zA-Z0-9][a-zA-Z0-9_.-]{0,63})$/;
const namespaceChoice = z.string().regex(nsTarget, 'must be new, host or container:NAME');
const networkNamespaceChoice = z
  .string()
  .regex(/^(new|host|container:[a-zA-Z0-9][a-zA-Z0-9_.-]{0,63}|ns:[a-zA-Z0-9][a-zA-Z0-9_.-]{0,63})$/, 'must be new, host, container:NAME or ns:NAME (a netns in /run/netns)');

export type NamespaceChoice = { kind: 'new' } | { kind: 'host' } | { kind: 'container'; name: string } | { kind: 'named'; name: string };

export function parseNamespaceChoice(text: string): NamespaceChoice {
  if (text === 'new' || text === 'host') return { kind: text };
  if (text.startsWith('container:')) return { kind: 'container', name: text.slice('container:'.length) };
  return { kind: 'named', name: text.slice('ns:'.length) };
}

const envEntry = z
  .string()
  .regex(/^[^=\0]+=[^\0]*$/, 'an environment entry is KEY=VALUE');

const capabilityName = z.string().transform((name, ctx) => {
  const cap = normalizeCapability(name);
  if (!cap) {
    ctx.addIssue({ code: 'custom', message: `"${name}" is not a Linux capability (see capabilities(7))` });
    return z.NEVER;
  }
  return cap;
});

const cpuList = z.string().regex(/^\d+(-\d+)?(,\d+(-\d+)?)*$/, 'a list like 0-3,6');

const deviceRate = (kind: 'bps' | 'iops', field: string) =>
  stringOr(
    z.object({
      device: z.string().transform(viaParser((d) => checkDevice(d, field))),
      rate: z.number().int().positive(),
    }),
    (t) => parseDeviceRate(t, kind, field),
  );

export const Limits = z
  .object({
    /** CPUs of time per period, like docker --cpus (0.5 = half a CPU). */
    cpus: z.number().positive().max(1024).optional(),
    /** Relative weight 1..10000 (cgroup v2 cpu.weight; cpu.shares on v1, converted). */
    cpuWeight: z.number().int().min(1).max(10000).optional(),
    cpusetCpus: cpuList.optional(),
    cpusetMems: cpuList.optional(),
    /** Bytes. */
    memory: bytes('memory').optional(),
    /** docker semantics: memory + swap in bytes; -1 = unlimited swap. */
    memorySwap: stringOr(z.union([z.literal(-1), z.number().int().positive()]), (t) => {
      if (t.trim() === '-1') return -1;
      const n = parseSize(t, 'memorySwap');
      if (n === null || n <= 0n) throw new Error(`memorySwap: "${t}" must be a positive size or -1`);
      return Number(n);
    }).optional(),
    /** Soft limit in bytes (v2 memory.low, v1 soft_limit_in_bytes). */
    memoryReservation: bytes('memoryReservation').optional(),
    /** Max processes; -1 = unlimited. */
    pidsLimit: z.union([z.literal(-1), z.number().int().positive()]).optional(),
    deviceReadBps: z.array(deviceRate('bps', 'limits.deviceReadBps')).default([]),
    deviceWriteBps: z.array(deviceRate('bps', 'limits.deviceWriteBps')).default([]),
    deviceReadIops: z.array(deviceRate('iops', 'limits.deviceReadIops')).default([]),
    deviceWriteIops: z.array(deviceRate('iops', 'limits.deviceWriteIops')).default([]),
  })
  .superRefine((l, ctx) => {
    if (l.memorySwap !== undefined && l.memory === undefined) {
      ctx.addIssue({ code: 'custom', path: ['memorySwap'], message: 'memorySwap needs memory to be set too (it is memory + swap)' });
    }
    if (l.memorySwap !== undefined && l.memorySwap !== -1 && l.memory !== undefined && l.memorySwap < l.memory) {
      ctx.addIssue({ code: 'custom', path: ['memorySwap'], message: 'memorySwap is memory + swap, so it cannot be below memory' });
    }
    if (l.memoryReservation !== undefined && l.memory !== undefined && l.memoryReservation > l.memory) {
      ctx.addIssue({ code: 'custom', path: ['memoryReservation'], message: 'memoryReservation must not be above memory' });
    }
  });

export const Security = z.object({
  capAdd: z.array(capabilityName).default([]),
  capDrop: z.array(capabilityName).default([]),
  privileged: z.boolean().default(false),
  /** `unconfined` turns the default seccomp profile off (docker --security-opt seccomp=unconfined). */
  seccomp: z.enum(['default', 'unconfined']).default('default'),
  noNewPrivileges: z.boolean().default(true),
});

const volume = stringOr(
  z.object({
    hostPath: z.string().transform(viaParser((p) => checkHostPath(p, 'volumes.hostPath'))),
    containerPath: z.string().transform(viaParser((p) => checkContainerPath(p, 'volumes.containerPath'))),
    readOnly: z.boolean().default(false),
  }),
  (t) => parseVolume(t),
);

const tmpfs = stringOr(
  z.object({
    containerPath: z.string().transform(viaParser((p) => checkContainerPath(p, 'tmpfs'))),
    sizeBytes: z.number().int().positive().optional(),
    mode: z.number().int().min(0).max(0o7777).optional(),
  }),
  (t) => parseTmpfs(t),
);

const port = stringOr(
  z.object({
    hostIp: z.string().optional(),
    hostPort: z.number().int().min(1).max(65535),
    containerPort: z.number().int().min(1).max(65535),
    protocol: z.enum(['tcp', 'udp']).default('tcp'),
  }),
  (t) => parsePortMapping(t),
);

const idMapping = stringOr(
  z.object({ containerId: z.number().int().min(0), hostId: z.number().int().min(0), size: z.number().int().min(1) }),
  (t) => parseIdMapping(t),
);

const restartPolicy = stringOr(
  z.object({ name: z.enum(['no', 'on-failure', 'always']), maxRetries: z.number().int().min(0).optional() }),
  (t) => parseRestartPolicy(t),
);

const byteRate = (field: string) => stringOr(z.number().int().positive(), (t) => parseRate(t, field));

export const ContainerSpec = z
  .object({
    /** Image reference `name[:tag]`, default tag latest. */
    image: z.string().min(1, 'an image is required'),
    name: ContainerName.optional(),
    /** Overrides the image's Entrypoint (docker --entrypoint). */
    entrypoint: z.array(z.string()).optional(),
    /** Overrides the image's Cmd (the words after the image in `docker run`). */
    command: z.array(z.string()).optional(),
    env: z.array(envEntry).default([]),
    workingDir: z.string().transform(viaParser((p) => (p === '/' ? p : checkContainerPath(p, 'workingDir')))).optional(),
    /** `uid[:gid]`, numeric. */
    user: z.string().regex(/^\d+(:\d+)?$/, 'user is uid[:gid], numeric').optional(),
    hostname: z.string().regex(/^[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?(\.[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*$/, 'a hostname is letters, digits, - and dots').max(253).optional(),
    labels: z.record(z.string().min(1), z.string()).default({}),
    tty: z.boolean().default(false),
    interactive: z.boolean().default(false),
    readOnlyRootfs: z.boolean().default(false),
    volumes: z.array(volume).default([]),
    tmpfs: z.array(tmpfs).default([]),
    namespaces: z
      .object({
        network: networkNamespaceChoice.default('new'),
        pid: namespaceChoice.default('new'),
        ipc: namespaceChoice.default('new'),
        uts: namespaceChoice.default('new'),
        /** `host` by default, as docker: a user namespace needs a mapping (`usernsMapping`). */
        user: z.enum(['new', 'host']).default('host'),
      })
      .prefault({}),
    /** One range used for both uids and gids (docker --userns-remap style `map=0:100000:65536`). */
    usernsMapping: idMapping.optional(),
    limits: Limits.prefault({}),
    security: Security.prefault({}),
    restartPolicy: restartPolicy.default({ name: 'no' }),
    autoRemove: z.boolean().default(false),
    /** Seconds between SIGTERM and SIGKILL on stop. */
    stopTimeoutSec: z.number().int().min(0).max(3600).default(10),
    ports: z.array(port).default([]),
    /** A network from the network module, or `none` (only loopback). Used when namespaces.network is `new`. */
    network: z.string().regex(/^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,63}$/, 'a network name is letters, digits, _ . -').default('none'),
    /** Bytes per second (the network module converts to the bits tc wants). */
    networkIngressRate: byteRate('networkIngressRate').optional(),
    networkEgressRate: byteRate('networkEgressRate').optional(),
    tenant: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, 'a tenant is lowercase letters, digits, _ and -').optional(),
  })
  .superRefine((s, ctx) => {
    if (s.namespaces.user === 'new' && !s.usernsMapping) {
      ctx.addIssue({ code: 'custom', path: ['usernsMapping'], message: 'a new user namespace needs a mapping, e.g. map=0:100000:65536' });
    }
    if (s.usernsMapping && s.namespaces.user !== 'new') {
      ctx.addIssue({ code: 'custom', path: ['namespaces', 'user'], message: 'usernsMapping is only used with a new user namespace' });
    }
    const netns = s.namespaces.network;
    if (netns !== 'new' && s.network !== 'none') {
      ctx.addIssue({ code: 'custom', path: ['network'], message: `a network cannot be attached when the network namespace is "${netns}"` });
    }
    if (s.ports.length > 0 && (netns !== 'new' || s.network === 'none')) {
      ctx.addIssue({ code: 'custom', path: ['ports'], message: 'publishing ports needs a network (not none, host or another container\'s)' });
    }
    if ((s.networkIngressRate || s.networkEgressRate) && s.network === 'none') {
      ctx.addIssue({ code: 'custom', path: ['networkIngressRate'], message: 'rate limits need a network' });
    }
    const seen = new Set<string>();
    s.volumes.forEach((v, i) => {
      if (seen.has(v.containerPath)) ctx.addIssue({ code: 'custom', path: ['volumes', i], message: `${v.containerPath} is mounted twice` });
      seen.add(v.containerPath);
    });
    s.tmpfs.forEach((t, i) => {
      if (seen.has(t.containerPath)) ctx.addIssue({ code: 'custom', path: ['tmpfs', i], message: `${t.containerPath} is mounted twice` });
      seen.add(t.containerPath);
    });
    if (s.autoRemove && s.restartPolicy.name !== 'no') {
      ctx.addIssue({ code: 'custom', path: ['autoRemove'], message: 'auto-remove and a restart policy exclude each other' });
    }
  });

export type ContainerSpec = z.infer<typeof ContainerSpec>;
export type ContainerSpecInput = z.input<typeof ContainerSpec>;
export type ContainerLimits = z.infer<typeof Limits>;
export type ContainerLimitsInput = z.input<typeof Limits>;

/**
 * Parse and validate; a failure becomes one CgdashError('invalid') whose message lists every
 * problem and whose `field` is the first problem's dotted path (for a form).
 */
export function parseContainerSpec(input: unknown): ContainerSpec {
  const result = ContainerSpec.safeParse(input);
  if (result.success) return result.data;
  const issues = result.error.issues.map((i) => ({ path: i.path.map(String).join('.'), message: i.message }));
  const first = issues[0];
  throw new SpecError(issues, first?.path ?? '');
}


export class SpecError extends CgdashError {
  readonly issues: { path: string; message: string }[];
  constructor(issues: { path: string; message: string }[], field: string) {
    super('invalid', issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join('; '), { field });
    this.issues = issues;
  }
}

/** `docker run` flags, parsed and validated (the server side of `runArgsToInput`). */
export function parseRunArgs(argv: readonly string[]): RunArgs {
  const { input, detach } = runArgsToInput(argv);
  return { spec: parseContainerSpec(input), detach };
}

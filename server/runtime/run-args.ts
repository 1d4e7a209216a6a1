/**
 * `docker run` flags -> ContainerSpec, as a pure function for the CLI:
 *   parseRunArgs(['--rm', '-m', '32m', 'busybox', 'echo', 'hi'])
 * Flags stop at the image (or after `--`); what follows is the command.
 */
import { CgdashError } from '@/server/lib/errors';
// Types only: the CLI uses this module, and must not load the spec's schemas to start quickly.
import type { ContainerSpec, ContainerSpecInput } from './spec';

export interface RunArgs {
  spec: ContainerSpec;
  /** -d: return after start instead of following the output. */
  detach: boolean;
}

type Setter = (draft: Draft, value: string) => void;
type Draft = ContainerSpecInput & {
  limits: NonNullable<Exclude<ContainerSpecInput['limits'], undefined>> & Record<string, unknown>;
  security: Record<string, unknown> & { capAdd: string[]; capDrop: string[] };
  namespaces: Record<string, string>;
  env: string[];
  labels: Record<string, string>;
  volumes: unknown[];
  tmpfs: unknown[];
  ports: unknown[];
};

function invalid(flag: string, message: string): CgdashError {
  return new CgdashError('invalid', `${flag}: ${message}`, { field: flag });
}

function listPush(key: 'deviceReadBps' | 'deviceWriteBps' | 'deviceReadIops' | 'deviceWriteIops'): Setter {
  return (d, v) => {
    const list = d.limits[key] ?? [];
    list.push(v);
    d.limits[key] = list;
  };
}

function number(flag: string, v: string): number {
  if (!/^-?\d+(\.\d+)?$/.test(v)) throw invalid(flag, `"${v}" is not a number`);
  return Number(v);
}

/** cpu.shares (2..262144) -> cpu.weight (1..10000), the formula runc and systemd use. */
export function sharesToWeight(shares: number): number {
  const clamped = Math.min(262144, Math.max(2, Math.round(shares)));
  return 1 + Math.floor(((clamped - 2) * 9999) / 262142);
}

function setNetwork(d: Draft, v: string): void {
  if (v === 'host') d.namespaces.network = 'host';
  else if (v.startsWith('container:') || v.startsWith('ns:')) d.namespaces.network = v;
  else {
    d.namespaces.network = 'new';
    d.network = v;
  }
}

/** Flags that take a value. Aliases map to the same setter. */
const valueFlags: Record<string, Setter> = {
  '--name': (d, v) => (d.name = v),
  '-e': (d, v) => d.env.push(v),
  '--env': (d, v) => d.env.push(v),
  '-w': (d, v) => (d.workingDir = v),
  '--workdir': (d, v) => (d.workingDir = v),
  '-u': (d, v) => (d.user = v),
  '--user': (d, v) => (d.user = v),
  '-h': (d, v) => (d.hostname = v),
  '--hostname': (d, v) => (d.hostname = v),
  '-l': (d, v) => {
    const eq = v.indexOf('=');
    d.labels[eq < 0 ? v : v.slice(0, eq)] = eq < 0 ? '' : v.slice(eq + 1);
  },
  '-v': (d, v) => d.volumes.push(v),
  '--volume': (d, v) => d.volumes.push(v),
  '--tmpfs': (d, v) => d.tmpfs.push(v),
  '-p': (d, v) => d.ports.push(v),
  '--publish': (d, v) => d.ports.push(v),
  '--network': setNetwork,
  '--net': setNetwork,
  '--pid': (d, v) => (d.namespaces.pid = v),
  '--ipc': (d, v) => (d.namespaces.ipc = v),
  '--uts': (d, v) => (d.namespaces.uts = v),
  '--userns': (d, v) => {
    if (v === 'host') {
      d.namespaces.user = 'host';
      return;
    }
    d.namespaces.user = 'new';
    d.usernsMapping = v;
  },
  '--cpus': (d, v) => (d.limits.cpus = number('--cpus', v)),
  '--cpu-weight': (d, v) => (d.limits.cpuWeight = number('--cpu-weight', v)),
  '-c': (d, v) => (d.limits.cpuWeight = sharesToWeight(number('--cpu-shares', v))),
  '--cpu-shares': (d, v) => (d.limits.cpuWeight = sharesToWeight(number('--cpu-shares', v))),
  '--cpuset-cpus': (d, v) => (d.limits.cpusetCpus = v),
  '--cpuset-mems': (d, v) => (d.limits.cpusetMems = v),
  '-m': (d, v) => (d.limits.memory = v),
  '--memory': (d, v) => (d.limits.memory = v),
  '--memory-swap': (d, v) => (d.limits.memorySwap = v),
  '--memory-reservation': (d, v) => (d.limits.memoryReservation = v),
  '--pids-limit': (d, v) => (d.limits.pidsLimit = number('--pids-limit', v)),
  '--device-read-bps': listPush('deviceReadBps'),
  '--device-write-bps': listPush('deviceWriteBps'),
  '--device-read-iops': listPush('deviceReadIops'),
  '--device-write-iops': listPush('deviceWriteIops'),
  '--cap-add': (d, v) => d.security.capAdd.push(v),
  '--cap-drop': (d, v) => d.security.capDrop.push(v),
  '--security-opt': (d, v) => {
    if (v === 'seccomp=unconfined' || v === 'seccomp:unconfined') d.security.seccomp = 'unconfined';
    else if (v === 'no-new-privileges' || v === 'no-new-privileges=true' || v === 'no-new-privileges:true') d.security.noNewPrivileges = true;
    else if (v === 'no-new-privileges=false' || v === 'no-new-privileges:false') d.security.noNewPrivileges = false;
    else throw invalid('--security-opt', `"${v}" is not supported (seccomp=unconfined, no-new-privileges[=false])`);
  },
  '--restart': (d, v) => (d.restartPolicy = v),
  '--entrypoint': (d, v) => (d.entrypoint = v === '' ? [] : [v]),
  '--stop-timeout': (d, v) => (d.stopTimeoutSec = number('--stop-timeout', v)),
  '--ingress-rate': (d, v) => (d.networkIngressRate = v),
  '--egress-rate': (d, v) => (d.networkEgressRate = v),
  '--tenant': (d, v) => (d.tenant = v),
};
valueFlags['--label'] = valueFlags['-l'] as Setter;

/** Boolean flags; `--flag=false` is accepted too. */
const boolFlags: Record<string, (d: Draft, on: boolean) => void> = {
  '--rm': (d, on) => (d.autoRemove = on),
  '-t': (d, on) => (d.tty = on),
  '--tty': (d, on) => (d.tty = on),
  '-i': (d, on) => (d.interactive = on),
  '--interactive': (d, on) => (d.interactive = on),
  '--read-only': (d, on) => (d.readOnlyRootfs = on),
  '--privileged': (d, on) => (d.security.privileged = on),
};

/**
 * The flags as an unparsed spec input. The CLI sends this to the server, which validates it
 * there: a volume's host path must exist on the server's host, not where the CLI runs.
 */
export function runArgsToInput(argv: readonly string[]): { input: ContainerSpecInput; detach: boolean } {
  const d: Draft = {
    image: '',
    env: [],
    labels: {},
    volumes: [],
    tmpfs: [],
    ports: [],
    namespaces: {},
    limits: {},
    security: { capAdd: [], capDrop: [] },
  } as unknown as Draft;
  let detach = false;
  let i = 0;
  for (; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (arg === '--') {
      i++;
      break;
    }
    if (!arg.startsWith('-') || arg === '-') break;
    const eq = arg.startsWith('--') ? arg.indexOf('=') : -1;
    const flag = eq > 0 ? arg.slice(0, eq) : arg;
    const inline = eq > 0 ? arg.slice(eq + 1) : undefined;
    if (flag === '-d' || flag === '--detach') {
      detach = inline === undefined ? true : inline !== 'false';
      continue;
    }
    const bool = boolFlags[flag];
    if (bool) {
      if (inline !== undefined && inline !== 'true' && inline !== 'false') throw invalid(flag, `"${inline}" is not true or false`);
      bool(d, inline !== 'false');
      continue;
    }
    const setter = valueFlags[flag];
    if (setter) {
      const value = inline ?? argv[++i];
      if (value === undefined) throw invalid(flag, 'needs a value');
      setter(d, value);
      continue;
    }
    // `-it`, `-dit`, `-eKEY=V`, `-m32m`: short flags glued together or to their value.
    if (/^-[a-zA-Z]./.test(arg) && !arg.startsWith('--')) {
      const letters = arg.slice(1);
      let consumed = false;
      for (let k = 0; k < letters.length && !consumed; k++) {
        const short = `-${letters[k]}`;
        if (short === '-d') detach = true;
        else if (boolFlags[short]) boolFlags[short](d, true);
        else if (valueFlags[short]) {
          const rest = letters.slice(k + 1);
          const value = rest || argv[++i];
          if (value === undefined) throw invalid(short, 'needs a value');
          (valueFlags[short] as Setter)(d, value);
          consumed = true;
        } else throw invalid(arg, `unknown flag ${short}`);
      }
      continue;
    }
    throw invalid(flag, 'unknown flag');
  }
  const image = argv[i];
  if (image === undefined) throw new CgdashError('invalid', 'an image is required: cgdash run [OPTIONS] IMAGE [COMMAND] [ARG...]', { field: 'image' });
  d.image = image;
  const command = argv.slice(i + 1);
  if (command.length > 0) d.command = [...command];
  // docker: --entrypoint clears the image's Cmd; only the words typed after the image remain.
  if (d.entrypoint !== undefined && command.length === 0) d.command = [];
  return { input: d, detach };
}


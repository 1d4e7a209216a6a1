/**
 * The create form's values and the ContainerSpec they become. The form keeps what the user
 * typed (text, list rows); `toSpec` turns it into the spec's input shape, sending docker's
 * short strings (`64M`, `/a:/b:ro`, `8080:80/udp`) for the server's one schema to parse, so a
 * bad value comes back with the schema's own message at its dotted path.
 *
 * Error keys are the spec's dotted paths without the `spec.` prefix (`limits.memory`,
 * `ports.0`, `namespaces.pid`); list errors are re-numbered to the form's rows, which may
 * include blank rows the spec leaves out.
 */
import type { ContainerSpecInput } from '@/server/runtime/spec';
import { ArgvError, splitArgv } from './argv';
import type { DeviceRateField, LimitsValues } from './limitsForm';

export type NamespaceKind = 'new' | 'host' | 'container' | 'ns';
export interface NamespaceChoiceForm {
  kind: NamespaceKind;
  /** The container (container:NAME) or named netns (ns:NAME). */
  name: string;
}

export const listFields = [
  'env',
  'labels',
  'volumes',
  'tmpfs',
  'ports',
  'security.capAdd',
  'security.capDrop',
  'limits.deviceReadBps',
  'limits.deviceWriteBps',
  'limits.deviceReadIops',
  'limits.deviceWriteIops',
] as const;
export type ListField = (typeof listFields)[number];

export interface SpecForm {
  image: string;
  name: string;
  /** Words after the image, split like a shell does. */
  command: string;
  entrypoint: string;
  workingDir: string;
  user: string;
  hostname: string;
  tty: boolean;
  interactive: boolean;
  readOnlyRootfs: boolean;
  namespaces: { network: NamespaceChoiceForm; pid: NamespaceChoiceForm; ipc: NamespaceChoiceForm; uts: NamespaceChoiceForm; user: 'new' | 'host' };
  usernsMapping: string;
  /** The limit fields of the live editor, without its per-device rates. */
  limits: Omit<LimitsValues, DeviceRateField>;
  privileged: boolean;
  seccomp: 'default' | 'unconfined';
  noNewPrivileges: boolean;
  restartPolicy: 'no' | 'on-failure' | 'always';
  restartMaxRetries: string;
  autoRemove: boolean;
  stopTimeoutSec: string;
  network: string;
  networkIngressRate: string;
  networkEgressRate: string;
  tenant: string;
  lists: Record<ListField, string[]>;
}

const newNs = (): NamespaceChoiceForm => ({ kind: 'new', name: '' });

export function emptySpecForm(defaults: { network?: string; tenant?: string } = {}): SpecForm {
  return {
    image: '',
    name: '',
    command: '',
    entrypoint: '',
    workingDir: '',
    user: '',
    hostname: '',
    tty: false,
    interactive: false,
    readOnlyRootfs: false,
    namespaces: { network: newNs(), pid: newNs(), ipc: newNs(), uts: newNs(), user: 'host' },
    usernsMapping: '',
    limits: { cpus: '', cpuWeight: '', cpusetCpus: '', cpusetMems: '', memory: '', memorySwap: '', memoryReservation: '', pidsLimit: '' },
    privileged: false,
    seccomp: 'default',
    noNewPrivileges: true,
    restartPolicy: 'no',
    restartMaxRetries: '',
    autoRemove: false,
    stopTimeoutSec: '',
    network: defaults.network ?? 'none',
    networkIngressRate: '',
    networkEgressRate: '',
    tenant: defaults.tenant ?? '',
    lists: Object.fromEntries(listFields.map((f) => [f, []])) as unknown as Record<ListField, string[]>,
  };
}

export function namespaceText(c: NamespaceChoiceForm): string {
  if (c.kind === 'container') return `container:${c.name.trim()}`;
  if (c.kind === 'ns') return `ns:${c.name.trim()}`;
  return c.kind;
}

/** The spec input, the form rows each list entry came from, and problems found before sending. */
export interface SpecDraft {
  spec: ContainerSpecInput;
  /** For each list field: spec index -> form row. */
  rows: Record<ListField, number[]>;
  /** Label key -> form row, for errors the schema reports at `labels.KEY`. */
  labelRows: Record<string, number>;
  errors: Record<string, string>;
}

/** Non-blank rows, trimmed, with where each came from. */
function filledRows(values: string[]): { values: string[]; rows: number[] } {
  const out = { values: [] as string[], rows: [] as number[] };
  values.forEach((v, i) => {
    if (v.trim() === '') return;
    out.values.push(v.trim());
    out.rows.push(i);
  });
  return out;
}

export function toSpec(form: SpecForm): SpecDraft {
  const errors: Record<string, string> = {};
  const rows = {} as Record<ListField, number[]>;
  const lists = {} as Record<ListField, string[]>;
  for (const f of listFields) {
    const filled = filledRows(form.lists[f]);
    rows[f] = filled.rows;
    lists[f] = filled.values;
  }

  const text = (v: string) => (v.trim() === '' ? undefined : v.trim());
  const words = (key: 'command' | 'entrypoint') => {
    if (form[key].trim() === '') return undefined;
    try {
      return splitArgv(form[key]);
    } catch (err) {
      errors[key] = err instanceof ArgvError ? err.message : String(err);
      return undefined;
    }
  };
  const number = (key: string, v: string, integer: boolean) => {
    const t = v.trim();
    if (t === '') return undefined;
    const n = Number(t);
    if (!Number.isFinite(n) || (integer && !Number.isInteger(n))) {
      errors[key] = integer ? `"${t}" is not a whole number` : `"${t}" is not a number`;
      return undefined;
    }
    return n;
  };

  const labels: Record<string, string> = {};
  const labelRows: Record<string, number> = {};
  lists.labels.forEach((entry, i) => {
    const row = rows.labels[i]!;
    const eq = entry.indexOf('=');
    const key = eq < 0 ? entry : entry.slice(0, eq).trim();
    if (eq <= 0 || key === '') {
      errors[`labels.${row}`] = 'a label is KEY=VALUE';
      return;
    }
    if (key in labels) {
      errors[`labels.${row}`] = `label ${key} is given twice`;
      return;
    }
    labels[key] = entry.slice(eq + 1);
    labelRows[key] = row;
  });

  const l = form.limits;
  const limits: NonNullable<ContainerSpecInput['limits']> = {
    cpus: number('limits.cpus', l.cpus, false),
    cpuWeight: number('limits.cpuWeight', l.cpuWeight, true),
    cpusetCpus: text(l.cpusetCpus),
    cpusetMems: text(l.cpusetMems),
    memory: text(l.memory),
    memorySwap: text(l.memorySwap),
    memoryReservation: text(l.memoryReservation),
    pidsLimit: number('limits.pidsLimit', l.pidsLimit, true),
    deviceReadBps: lists['limits.deviceReadBps'],
    deviceWriteBps: lists['limits.deviceWriteBps'],
    deviceReadIops: lists['limits.deviceReadIops'],
    deviceWriteIops: lists['limits.deviceWriteIops'],
  };

  const maxRetries = form.restartPolicy === 'on-failure' ? number('restartPolicy', form.restartMaxRetries, true) : undefined;
  const spec: ContainerSpecInput = {
    image: form.image.trim(),
    name: text(form.name),
    entrypoint: words('entrypoint'),
    command: words('command'),
    env: lists.env,
    workingDir: text(form.workingDir),
    user: text(form.user),
    hostname: text(form.hostname),
    labels,
    tty: form.tty,
    interactive: form.interactive,
    readOnlyRootfs: form.readOnlyRootfs,
    volumes: lists.volumes,
    tmpfs: lists.tmpfs,
    namespaces: {
      network: namespaceText(form.namespaces.network),
      pid: namespaceText(form.namespaces.pid),
      ipc: namespaceText(form.namespaces.ipc),
      uts: namespaceText(form.namespaces.uts),
      user: form.namespaces.user,
    },
    usernsMapping: text(form.usernsMapping),
    limits,
    security: {
      capAdd: lists['security.capAdd'],
      capDrop: lists['security.capDrop'],
      privileged: form.privileged,
      seccomp: form.seccomp,
      noNewPrivileges: form.noNewPrivileges,
    },
    restartPolicy: maxRetries === undefined ? { name: form.restartPolicy } : { name: form.restartPolicy, maxRetries },
    autoRemove: form.autoRemove,
    stopTimeoutSec: number('stopTimeoutSec', form.stopTimeoutSec, true),
    ports: lists.ports,
    network: form.network,
    networkIngressRate: text(form.networkIngressRate),
    networkEgressRate: text(form.networkEgressRate),
    tenant: text(form.tenant),
  };
  // Leave out what was not set, so the schema's defaults apply and the request stays readable.
  const compact = JSON.parse(JSON.stringify(spec)) as ContainerSpecInput;
  return { spec: compact, rows, labelRows, errors };
}

/**
 * A server error key (`spec.ports.1.hostPort`, `limits`, `name`) as the form's key: the
 * `spec.` prefix dropped, list indexes turned into form rows, deeper parts of a row folded
 * into the row, parts of the restart policy into the policy.
 */
export function formKeyOf(serverKey: string, draft: Pick<SpecDraft, 'rows' | 'labelRows'>): string {
  const key = serverKey.replace(/^spec\./, '');
  if (key.startsWith('restartPolicy')) return 'restartPolicy';
  if (key.startsWith('labels.')) {
    const row = draft.labelRows[key.slice('labels.'.length)];
    return row === undefined ? 'labels' : `labels.${row}`;
  }
  for (const field of listFields) {
    if (key === field) return field;
    if (key.startsWith(`${field}.`)) {
      const index = Number(key.slice(field.length + 1).split('.')[0]);
      const row = Number.isInteger(index) ? draft.rows[field][index] : undefined;
      return row === undefined ? field : `${field}.${row}`;
    }
  }
  return key;
}

export function formErrorsOf(serverErrors: Record<string, string>, draft: Pick<SpecDraft, 'rows' | 'labelRows'>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(serverErrors)) out[formKeyOf(k, draft)] ??= v;
  return out;
}

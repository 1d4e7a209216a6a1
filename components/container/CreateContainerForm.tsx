'use client';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import clsx from 'clsx';
import Link from 'next/link';
import { useRouter, useSearchParams } from 'next/navigation';
import { useId, useMemo, useState, type FormEvent, type ReactNode } from 'react';
import { useTRPC } from '@/components/app/trpc';
import { Button } from '@/components/ui/Button';
import { Card } from '@/components/ui/Card';
import { errorMessage, fieldErrors } from '@/components/ui/errors';
import { Field, SelectField } from '@/components/ui/Field';
import { PageHeader } from '@/components/ui/PageHeader';
import { allCapabilities } from '@/server/runtime/capabilities';
import { ListField } from './ListField';
import { emptySpecForm, formErrorsOf, listFields, toSpec, type ListField as ListKey, type NamespaceChoiceForm, type NamespaceKind, type SpecDraft, type SpecForm } from './specForm';

/** Inputs outside the lists, by error key: an error at any other key is listed at the bottom. */
const scalarKeys = new Set([
  'image', 'name', 'command', 'entrypoint', 'workingDir', 'user', 'hostname', 'tty', 'interactive', 'readOnlyRootfs',
  'namespaces.network', 'namespaces.pid', 'namespaces.ipc', 'namespaces.uts', 'namespaces.user', 'usernsMapping',
  'limits.cpus', 'limits.cpuWeight', 'limits.cpusetCpus', 'limits.cpusetMems', 'limits.memory', 'limits.memorySwap',
  'limits.memoryReservation', 'limits.pidsLimit', 'security.privileged', 'security.seccomp', 'security.noNewPrivileges',
  'restartPolicy', 'autoRemove', 'stopTimeoutSec', 'network', 'networkIngressRate', 'networkEgressRate', 'tenant',
]);

function isPlaced(key: string): boolean {
  return scalarKeys.has(key) || listFields.some((f) => key === f || key.startsWith(`${f}.`));
}

type SectionId = 'process' | 'storage' | 'namespaces' | 'limits' | 'security' | 'lifecycle' | 'network';

/** Which advanced section holds an error key, so a section with a problem opens by itself. */
function sectionOf(key: string): SectionId | null {
  if (/^(entrypoint|workingDir|user|hostname|labels|tty|interactive)(\.|$)/.test(key)) return 'process';
  if (/^(readOnlyRootfs|volumes|tmpfs)(\.|$)/.test(key)) return 'storage';
  if (/^(namespaces|usernsMapping)(\.|$)/.test(key)) return 'namespaces';
  if (/^limits\.(cpuWeight|cpuset|memorySwap|memoryReservation|pidsLimit|device)/.test(key)) return 'limits';
  if (/^security(\.|$)/.test(key)) return 'security';
  if (/^(restartPolicy|autoRemove|stopTimeoutSec)(\.|$)/.test(key)) return 'lifecycle';
  if (/^network(Ingress|Egress)Rate$/.test(key)) return 'network';
  return null;
}

function Section({ title, summary, open, onToggle, children }: { title: string; summary: string; open: boolean; onToggle: () => void; children: ReactNode }) {
  const id = useId();
  return (
    <section className="rounded-lg border border-zinc-800 bg-zinc-900/40">
      <h3>
        <button type="button" aria-expanded={open} aria-controls={id} onClick={onToggle} className="flex w-full items-center justify-between gap-3 px-4 py-2.5 text-left">
          <span className="text-sm font-semibold text-zinc-200">{title}</span>
          <span className="flex items-center gap-2 text-xs text-zinc-500">
            <span className="hidden sm:inline">{summary}</span>
            <span aria-hidden className={clsx('transition-transform', open && 'rotate-90')}>
              ▸
            </span>
          </span>
        </button>
      </h3>
      <div id={id} hidden={!open} className="space-y-4 border-t border-zinc-800 px-4 py-4">
        {children}
      </div>
    </section>
  );
}

function Check({ label, checked, onChange, hint, error, disabled }: { label: ReactNode; checked: boolean; onChange: (v: boolean) => void; hint?: ReactNode; error?: string; disabled?: boolean }) {
  return (
    <div>
      <label className={clsx('flex items-start gap-2 text-sm', disabled ? 'text-zinc-500' : 'text-zinc-300')}>
        <input type="checkbox" className="mt-0.5" checked={checked} disabled={disabled} onChange={(e) => onChange(e.target.checked)} aria-invalid={error ? true : undefined} />
        <span>
          {label}
          {hint && <span className="block text-xs text-zinc-500">{hint}</span>}
        </span>
      </label>
      {error && (
        <p role="alert" className="mt-0.5 text-xs text-red-400">
          {error}
        </p>
      )}
    </div>
  );
}

const nsKinds: Record<'network' | 'other', { value: NamespaceKind; label: string }[]> = {
  network: [
    { value: 'new', label: 'new (own network stack)' },
    { value: 'host', label: "host's network" },
    { value: 'container', label: "another container's" },
    { value: 'ns', label: 'a named netns (ip netns)' },
  ],
  other: [
    { value: 'new', label: 'new' },
    { value: 'host', label: "host's" },
    { value: 'container', label: "another container's" },
  ],
};

function NamespaceField({ type, value, onChange, error, containers, netns }: {
  type: 'network' | 'pid' | 'ipc' | 'uts';
  value: NamespaceChoiceForm;
  onChange: (v: NamespaceChoiceForm) => void;
  error?: string;
  containers: string[];
  netns: string[];
}) {
  const listId = useId();
  const choices = nsKinds[type === 'network' ? 'network' : 'other'];
  return (
    <div className="flex flex-col gap-1">
      <SelectField label={`${type} namespace`} value={value.kind} onChange={(e) => onChange({ kind: e.target.value as NamespaceKind, name: value.name })} error={value.kind === 'new' || value.kind === 'host' ? error : undefined}>
        {choices.map((c) => (
          <option key={c.value} value={c.value}>
            {c.label}
          </option>
        ))}
      </SelectField>
      {(value.kind === 'container' || value.kind === 'ns') && (
        <>
          <Field
            label={value.kind === 'container' ? `Container to share the ${type} namespace of` : 'Named network namespace'}
            value={value.name}
            list={listId}
            placeholder={value.kind === 'container' ? 'name or id' : 'as in /run/netns'}
            onChange={(e) => onChange({ ...value, name: e.target.value })}
            error={error}
          />
          <datalist id={listId}>
            {(value.kind === 'container' ? containers : netns).map((n) => (
              <option key={n} value={n} />
            ))}
          </datalist>
        </>
      )}
    </div>
  );
}

export function CreateContainerForm() {
  const trpc = useTRPC();
  const router = useRouter();
  const queryClient = useQueryClient();
  const ids = { images: useId(), caps: useId() };
  const me = useQuery(trpc.auth.me.queryOptions());
  const user = me.data?.user;
  const isAdmin = user?.role === 'admin';
  const images = useQuery(trpc.images.list.queryOptions());
  const networks = useQuery(trpc.networks.list.queryOptions());
  const tenants = useQuery({ ...trpc.tenants.list.queryOptions(), enabled: !!user });
  const containers = useQuery(trpc.containers.list.queryOptions({ all: true }));
  const namedNetns = useQuery({ ...trpc.namespaces.netns.list.queryOptions(), enabled: isAdmin, retry: false });

  const params = useSearchParams();
  const [form, setForm] = useState<SpecForm>(() => ({ ...emptySpecForm(), image: params.get('image') ?? '' }));
  /** Unset = whatever the section's errors say (a section with a problem opens by itself). */
  const [open, setOpen] = useState<Partial<Record<SectionId, boolean>>>({});
  const [localErrors, setLocalErrors] = useState<Record<string, string>>({});
  const [sent, setSent] = useState<SpecDraft | null>(null);
  // Until the user picks one: the default network; a member's tenant is always their own.
  const defaultNetwork = networks.data?.find((n) => n.isDefault)?.name ?? 'none';
  const [network, setNetwork] = useState<string | null>(null);
  const effective: SpecForm = {
    ...form,
    network: form.namespaces.network.kind !== 'new' ? 'none' : (network ?? defaultNetwork),
    tenant: user?.role === 'member' ? (user.tenant ?? '') : form.tenant,
  };

  const create = useMutation(
    trpc.containers.create.mutationOptions({
      onSuccess: (rec) => {
        void queryClient.invalidateQueries({ queryKey: trpc.containers.pathKey() });
        router.push(`/containers/${rec.id}`);
      },
    }),
  );
  const serverErrors = useMemo(() => (sent && create.error ? formErrorsOf(fieldErrors(create.error), sent) : {}), [sent, create.error]);
  const errors = Object.keys(localErrors).length ? localErrors : serverErrors;
  const unplaced = Object.entries(errors).filter(([k]) => !isPlaced(k));
  const errorCount = Object.keys(errors).length;

  const sectionsWithErrors = new Set(Object.keys(errors).map(sectionOf));
  const isOpen = (id: SectionId) => open[id] ?? sectionsWithErrors.has(id);

  // The network and tenant defaults come from the server: no spec is sent before they are known.
  const ready = !networks.isPending && !!user;
  const submit = (start: boolean) => {
    if (!ready) return;
    const draft = toSpec(effective);
    // A section closed by hand opens again if the new attempt finds a problem in it.
    setOpen((o) => Object.fromEntries(Object.entries(o).filter(([, v]) => v)));
    setLocalErrors(draft.errors);
    if (Object.keys(draft.errors).length) return;
    setSent(draft);
    create.mutate({ spec: draft.spec, start });
  };
  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    submit(true);
  };

  const set = (patch: Partial<SpecForm>) => setForm((f) => ({ ...f, ...patch }));
  const text = (key: 'image' | 'name' | 'command' | 'entrypoint' | 'workingDir' | 'user' | 'hostname' | 'usernsMapping' | 'stopTimeoutSec' | 'networkIngressRate' | 'networkEgressRate') => ({
    value: form[key],
    onChange: (e: { target: { value: string } }) => set({ [key]: e.target.value }),
    error: errors[key],
    name: key,
  });
  const limit = (key: keyof SpecForm['limits']) => ({
    value: form.limits[key],
    onChange: (e: { target: { value: string } }) => setForm((f) => ({ ...f, limits: { ...f.limits, [key]: e.target.value } })),
    error: errors[`limits.${key}`],
    name: `limits.${key}`,
  });
  const list = (key: ListKey) => ({
    name: key,
    values: form.lists[key],
    onChange: (values: string[]) => setForm((f) => ({ ...f, lists: { ...f.lists, [key]: values } })),
    errors,
  });
  const ns = (type: 'network' | 'pid' | 'ipc' | 'uts') => ({
    type,
    value: form.namespaces[type],
    error: errors[`namespaces.${type}`],
    containers: (containers.data ?? []).map((c) => c.name),
    netns: (namedNetns.data ?? []).map((n) => n.name),
    onChange: (v: NamespaceChoiceForm) =>
      setForm((f) => ({
        ...f,
        namespaces: { ...f.namespaces, [type]: v },
      })),
  });
  const toggle = (id: SectionId) => setOpen((o) => ({ ...o, [id]: !isOpen(id) }));
  const imageTags = (images.data ?? []).flatMap((i) => i.repoTags);
  const ownNetns = form.namespaces.network.kind === 'new';

  return (
    <>
      <PageHeader
        title="Run a container"
        description="Every option of the container spec. The basics are enough for most; the sections below hold the rest."
        actions={
          <Link href="/containers" className="text-sm text-zinc-400 hover:text-zinc-100">
            Back to containers
          </Link>
        }
      />
      <form onSubmit={onSubmit} noValidate className="max-w-5xl space-y-4" aria-label="Run a container">
        <Card title="Basics">
          <div className="space-y-4">
            <div className="grid gap-3 md:grid-cols-2">
              <Field label="Image" placeholder="busybox" list={ids.images} autoComplete="off" hint="name[:tag] from the image store" {...text('image')} autoFocus />
              <datalist id={ids.images}>
                {imageTags.map((t) => (
                  <option key={t} value={t} />
                ))}
              </datalist>
              <Field label="Name" placeholder="generated when empty" autoComplete="off" {...text('name')} />
            </div>
            <Field
              label="Command"
              placeholder="the image's default command"
              autoComplete="off"
              hint={<>Split into words like a shell does: &apos;quotes&apos; and &quot;quotes&quot; group, nothing is expanded (write sh -c &apos;…&apos; for a shell).</>}
              {...text('command')}
            />
            <div className="grid gap-3 md:grid-cols-3">
              <SelectField label="Network" value={networks.isPending ? '' : effective.network} onChange={(e) => setNetwork(e.target.value)} error={errors.network ?? (networks.error ? `networks could not be listed: ${errorMessage(networks.error)}` : undefined)} disabled={!ownNetns || networks.isPending}>
                {networks.isPending && <option value="">loading networks…</option>}
                <option value="none">none (loopback only)</option>
                {(networks.data ?? []).map((n) => (
                  <option key={n.name} value={n.name}>
                    {n.name} · {n.subnet}
                  </option>
                ))}
              </SelectField>
              <Field label="Memory limit" placeholder="no limit" hint="e.g. 64M, 1G" {...limit('memory')} />
              <Field label="CPUs" placeholder="no limit" inputMode="decimal" hint="e.g. 0.5 = half a CPU" {...limit('cpus')} />
            </div>
            <div className="grid gap-4 md:grid-cols-2">
              <ListField label="Published ports" placeholder="[hostIp:]hostPort:containerPort[/udp]" hint="e.g. 8080:80 or 127.0.0.1:5353:53/udp" addLabel="Add port" {...list('ports')} />
              <ListField label="Environment" placeholder="KEY=value" addLabel="Add variable" {...list('env')} />
            </div>
            {isAdmin ? (
              <SelectField label="Tenant" value={form.tenant} onChange={(e) => set({ tenant: e.target.value })} error={errors.tenant} className="md:w-1/2">
                <option value="">none: a host container (containers/)</option>
                {(tenants.data ?? []).map((t) => (
                  <option key={t.tenant.name} value={t.tenant.name}>
                    {t.tenant.displayName ?? t.tenant.name} (tenants/{t.tenant.name})
                  </option>
                ))}
              </SelectField>
            ) : (
              <Field label="Tenant" value={user?.tenant ?? ''} readOnly disabled error={errors.tenant} hint="Your containers run in your tenant's slice, in a user namespace of its own." className="md:w-1/2" />
            )}
          </div>
        </Card>

        <Section title="Process" summary="entrypoint, working dir, user, hostname, labels, tty" open={isOpen('process')} onToggle={() => toggle('process')}>
          <div className="grid gap-3 md:grid-cols-2">
            <Field label="Entrypoint" placeholder="the image's entrypoint" autoComplete="off" hint="Words, split like the command" {...text('entrypoint')} />
            <Field label="Working directory" placeholder="/" autoComplete="off" {...text('workingDir')} />
            <Field label="User" placeholder="image default" hint="uid[:gid], numeric" autoComplete="off" {...text('user')} />
            <Field label="Hostname" placeholder="the container's name" autoComplete="off" {...text('hostname')} />
          </div>
          <ListField label="Labels" placeholder="key=value" addLabel="Add label" {...list('labels')} />
          <div className="flex flex-wrap gap-6">
            <Check label="Allocate a terminal (tty)" checked={form.tty} onChange={(tty) => set({ tty })} error={errors.tty} />
            <Check label="Keep stdin open (interactive)" checked={form.interactive} onChange={(interactive) => set({ interactive })} error={errors.interactive} />
          </div>
        </Section>

        <Section title="Storage" summary="read-only root, volumes, tmpfs" open={isOpen('storage')} onToggle={() => toggle('storage')}>
          <Check label="Read-only root file system" checked={form.readOnlyRootfs} onChange={(readOnlyRootfs) => set({ readOnlyRootfs })} error={errors.readOnlyRootfs} hint="Writes only to volumes and tmpfs mounts." />
          <div className="grid gap-4 md:grid-cols-2">
            <ListField label="Volumes" placeholder="/host/path:/container/path[:ro]" addLabel="Add volume" hint="Bind mounts of host directories" {...list('volumes')} />
            <ListField label="tmpfs mounts" placeholder="/path[:size=64m,mode=1777]" addLabel="Add tmpfs" {...list('tmpfs')} />
          </div>
        </Section>

        <Section title="Namespaces" summary="network, pid, ipc, uts, user" open={isOpen('namespaces')} onToggle={() => toggle('namespaces')}>
          <div className="grid gap-3 md:grid-cols-2 xl:grid-cols-4">
            <NamespaceField {...ns('network')} />
            <NamespaceField {...ns('pid')} />
            <NamespaceField {...ns('ipc')} />
            <NamespaceField {...ns('uts')} />
          </div>
          <div className="grid gap-3 md:grid-cols-2">
            <SelectField
              label="user namespace"
              value={form.namespaces.user}
              onChange={(e) => setForm((f) => ({ ...f, namespaces: { ...f.namespaces, user: e.target.value as 'new' | 'host' } }))}
              error={errors['namespaces.user']}
              disabled={!isAdmin}
            >
              <option value="host">host&apos;s (no id mapping)</option>
              <option value="new">new, with a uid/gid mapping</option>
            </SelectField>
            <Field
              label="uid/gid mapping"
              placeholder={isAdmin ? 'map=0:100000:65536' : 'set by your tenant'}
              hint="containerId:hostId:size, for both uids and gids"
              disabled={!isAdmin || form.namespaces.user !== 'new'}
              autoComplete="off"
              {...text('usernsMapping')}
            />
          </div>
        </Section>

        <Section title="Limits" summary="CPU weight, cpuset, swap, reservation, pids, block I/O" open={isOpen('limits')} onToggle={() => toggle('limits')}>
          <div className="grid gap-3 sm:grid-cols-2 lg:grid-cols-4">
            <Field label="CPU weight" placeholder="100" inputMode="numeric" hint="1–10000 (cpu.weight; cpu.shares on v1)" {...limit('cpuWeight')} />
            <Field label="cpuset CPUs" placeholder="any" hint="e.g. 0-1,3" {...limit('cpusetCpus')} />
            <Field label="cpuset memory nodes" placeholder="any" hint="e.g. 0" {...limit('cpusetMems')} />
            <Field label="Pids limit" placeholder="no limit" inputMode="numeric" hint="-1 = unlimited" {...limit('pidsLimit')} />
            <Field label="Memory + swap" placeholder="no limit" hint="docker's --memory-swap; -1 = unlimited swap" {...limit('memorySwap')} />
            <Field label="Memory reservation" placeholder="none" hint="soft limit (memory.low)" {...limit('memoryReservation')} />
          </div>
          <div className="grid gap-4 md:grid-cols-2">
            <ListField label="Device read bytes/s" placeholder="/dev/sda:10mb or 8:0:10m" addLabel="Add device" {...list('limits.deviceReadBps')} />
            <ListField label="Device write bytes/s" placeholder="/dev/sda:10mb" addLabel="Add device" {...list('limits.deviceWriteBps')} />
            <ListField label="Device read IO/s" placeholder="/dev/sda:1000" addLabel="Add device" {...list('limits.deviceReadIops')} />
            <ListField label="Device write IO/s" placeholder="/dev/sda:1000" addLabel="Add device" {...list('limits.deviceWriteIops')} />
          </div>
        </Section>

        <Section title="Security" summary="capabilities, privileged, seccomp" open={isOpen('security')} onToggle={() => toggle('security')}>
          <datalist id={ids.caps}>
            {['ALL', ...allCapabilities].map((c) => (
              <option key={c} value={c} />
            ))}
          </datalist>
          <div className="grid gap-4 md:grid-cols-2">
            <ListField label="Add capabilities" placeholder="NET_ADMIN" list={ids.caps} addLabel="Add capability" {...list('security.capAdd')} />
            <ListField label="Drop capabilities" placeholder="MKNOD" list={ids.caps} addLabel="Drop capability" {...list('security.capDrop')} />
          </div>
          <div className="grid gap-3 md:grid-cols-3">
            <SelectField label="Seccomp" value={form.seccomp} onChange={(e) => set({ seccomp: e.target.value as SpecForm['seccomp'] })} error={errors['security.seccomp']}>
              <option value="default">default profile</option>
              <option value="unconfined">unconfined (no filter)</option>
            </SelectField>
          </div>
          <div className="flex flex-wrap gap-6">
            <Check label="Privileged" hint="All capabilities, every device, no seccomp" checked={form.privileged} onChange={(privileged) => set({ privileged })} error={errors['security.privileged']} />
            <Check label="No new privileges" hint="setuid binaries cannot gain rights" checked={form.noNewPrivileges} onChange={(noNewPrivileges) => set({ noNewPrivileges })} error={errors['security.noNewPrivileges']} />
          </div>
        </Section>

        <Section title="Lifecycle" summary="restart policy, auto-remove, stop timeout" open={isOpen('lifecycle')} onToggle={() => toggle('lifecycle')}>
          <div className="grid gap-3 sm:grid-cols-2 lg:grid-cols-4">
            <SelectField label="Restart policy" value={form.restartPolicy} onChange={(e) => set({ restartPolicy: e.target.value as SpecForm['restartPolicy'] })} error={errors.restartPolicy}>
              <option value="no">no</option>
              <option value="on-failure">on failure</option>
              <option value="always">always</option>
            </SelectField>
            <Field
              label="Max retries"
              placeholder="no cap"
              inputMode="numeric"
              disabled={form.restartPolicy !== 'on-failure'}
              value={form.restartMaxRetries}
              onChange={(e) => set({ restartMaxRetries: e.target.value })}
            />
            <Field label="Stop timeout (s)" placeholder="10" inputMode="numeric" hint="SIGTERM, then SIGKILL after this" {...text('stopTimeoutSec')} />
          </div>
          <Check label="Remove the container when it exits (auto-remove)" checked={form.autoRemove} onChange={(autoRemove) => set({ autoRemove })} error={errors.autoRemove} />
        </Section>

        <Section title="Network rates" summary="ingress and egress caps" open={isOpen('network')} onToggle={() => toggle('network')}>
          <div className="grid gap-3 md:grid-cols-2">
            <Field label="Ingress rate" placeholder="no cap" hint="into the container: 10mbit, 2mbps, 10m (= MiB/s)" {...text('networkIngressRate')} />
            <Field label="Egress rate" placeholder="no cap" hint="out of the container" {...text('networkEgressRate')} />
          </div>
        </Section>

        <div className="sticky bottom-0 -mx-2 flex flex-wrap items-center gap-3 border-t border-zinc-800 bg-zinc-950/95 px-2 py-3 backdrop-blur">
          <Button type="submit" variant="primary" disabled={!ready} busy={create.isPending && create.variables?.start === true}>
            Create and start
          </Button>
          <Button type="button" disabled={!ready} busy={create.isPending && create.variables?.start === false} onClick={() => submit(false)}>
            Create
          </Button>
          {errorCount > 0 ? (
            <div role="alert" className="text-sm text-red-400">
              {errorCount === 1 ? 'One problem' : `${errorCount} problems`}: see the marked field{errorCount === 1 ? '' : 's'}.
              {unplaced.map(([k, v]) => (
                <span key={k} className="block">
                  {k}: {v}
                </span>
              ))}
            </div>
          ) : create.error ? (
            <p role="alert" className="text-sm text-red-400">
              {errorMessage(create.error)}
            </p>
          ) : null}
        </div>
      </form>
    </>
  );
}

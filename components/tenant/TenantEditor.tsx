'use client';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useDeferredValue, useMemo, useState, type FormEvent } from 'react';
import { useTRPC, type RouterInputs } from '@/components/app/trpc';
import { sizeForInput } from '@/components/cgroup/format';
import { Button } from '@/components/ui/Button';
import { Card } from '@/components/ui/Card';
import { errorMessage, fieldErrors } from '@/components/ui/errors';
import { Field } from '@/components/ui/Field';
import type { Tenant } from '@/server/tenants/model';

type TenantInput = RouterInputs['tenants']['create'];

interface Form {
  name: string;
  displayName: string;
  cpus: string;
  cpuWeight: string;
  cpusetCpus: string;
  cpusetMems: string;
  cpusetExclusive: boolean;
  memoryMax: string;
  memoryHigh: string;
  memorySwapMax: string;
  pidsMax: string;
  ioWeight: string;
  networkIngress: string;
  networkEgress: string;
}

function formOf(t: Tenant | null): Form {
  const l = t?.limits;
  return {
    name: t?.name ?? '',
    displayName: t?.displayName ?? '',
    cpus: l?.cpuMaxQuotaUs != null ? String(Number((l.cpuMaxQuotaUs / l.cpuMaxPeriodUs).toFixed(3))) : '',
    cpuWeight: l?.cpuWeight != null ? String(l.cpuWeight) : '',
    cpusetCpus: l?.cpusetCpus ?? '',
    cpusetMems: l?.cpusetMems ?? '',
    cpusetExclusive: t?.cpusetExclusive ?? false,
    memoryMax: sizeForInput(l?.memoryMax),
    memoryHigh: sizeForInput(l?.memoryHigh),
    memorySwapMax: sizeForInput(l?.memorySwapMax),
    pidsMax: l?.pidsMax != null ? String(l.pidsMax) : '',
    ioWeight: l?.ioWeight != null ? String(l.ioWeight) : '',
    networkIngress: t?.networkIngressBps ? sizeForInput(BigInt(t.networkIngressBps)) : '',
    networkEgress: t?.networkEgressBps ? sizeForInput(BigInt(t.networkEgressBps)) : '',
  };
}

const num = (v: string) => (v.trim() === '' ? null : Number(v));
const text = (v: string) => (v.trim() === '' ? null : v.trim());

/** The whole slice as the API takes it; empty means no limit. */
function inputOf(f: Form): TenantInput {
  return {
    name: f.name.trim(),
    displayName: text(f.displayName),
    cpusetExclusive: f.cpusetExclusive,
    networkIngressBps: text(f.networkIngress),
    networkEgressBps: text(f.networkEgress),
    limits: {
      cpus: num(f.cpus),
      cpuWeight: num(f.cpuWeight),
      cpusetCpus: text(f.cpusetCpus),
      cpusetMems: text(f.cpusetMems) ?? (f.cpusetCpus.trim() ? '0' : null),
      memoryMax: text(f.memoryMax),
      memoryHigh: text(f.memoryHigh),
      memorySwapMax: text(f.memorySwapMax),
      pidsMax: num(f.pidsMax),
      ioWeight: num(f.ioWeight),
    },
  } as TenantInput;
}

function formErrors(err: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(fieldErrors(err))) {
    const key = k.replace(/^limits\./, '').replace(/^cpuMax(QuotaUs|PeriodUs)$/, 'cpus').replace(/^networkIngressBps$/, 'networkIngress').replace(/^networkEgressBps$/, 'networkEgress');
    out[key] = v;
  }
  return out;
}

/**
 * Create or edit a slice. The overcommit check runs as you type (the server's own check, the
 * one Save runs), so warnings show before anything is saved.
 */
export function TenantEditor({ tenant, onDone }: { tenant: Tenant | null; onDone: () => void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [form, setForm] = useState(() => formOf(tenant));
  const input = useMemo(() => inputOf(form), [form]);
  const deferred = useDeferredValue(input);
  const preview = useQuery({ ...trpc.tenants.preview.queryOptions(deferred), enabled: deferred.name.length > 0, retry: false });
  const done = () => {
    void queryClient.invalidateQueries({ queryKey: trpc.tenants.pathKey() });
    onDone();
  };
  const save = useMutation((tenant ? trpc.tenants.update : trpc.tenants.create).mutationOptions({ onSuccess: done }));
  const errors = formErrors(save.error);
  const bind = (key: Exclude<keyof Form, 'cpusetExclusive'>) => ({
    value: form[key],
    onChange: (e: { target: { value: string } }) => setForm((f) => ({ ...f, [key]: e.target.value })),
    error: errors[key],
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    save.mutate(input);
  };

  return (
    <Card title={tenant ? `Edit ${tenant.name}` : 'New tenant'}>
      <form onSubmit={submit} noValidate className="space-y-4">
        <div className="grid gap-3 sm:grid-cols-2">
          <Field label="Name" disabled={!!tenant} placeholder="sally" {...bind('name')} />
          <Field label="Display name" placeholder="Sally" {...bind('displayName')} />
        </div>
        <fieldset className="grid gap-3 sm:grid-cols-2 lg:grid-cols-4">
          <legend className="mb-1 text-xs font-semibold uppercase tracking-wide text-zinc-500">CPU</legend>
          <Field label="CPUs" placeholder="any" hint="cpuset, e.g. 0 or 2-3" {...bind('cpusetCpus')} />
          <Field label="Memory nodes" placeholder="all" {...bind('cpusetMems')} />
          <Field label="CPU quota" placeholder="no limit" hint="in CPUs, e.g. 1.5" inputMode="decimal" {...bind('cpus')} />
          <Field label="CPU weight" placeholder="default" hint="1–10000" inputMode="numeric" {...bind('cpuWeight')} />
          <label className="col-span-full flex items-center gap-2 text-sm text-zinc-300">
            <input type="checkbox" checked={form.cpusetExclusive} onChange={(e) => setForm((f) => ({ ...f, cpusetExclusive: e.target.checked }))} />
            These CPUs are exclusive: no other tenant may use them
          </label>
        </fieldset>
        <fieldset className="grid gap-3 sm:grid-cols-3">
          <legend className="mb-1 text-xs font-semibold uppercase tracking-wide text-zinc-500">Memory</legend>
          <Field label="Memory max" placeholder="no limit" hint="e.g. 512M" {...bind('memoryMax')} />
          <Field label="Memory high" placeholder="no limit" hint="cgroup v2" {...bind('memoryHigh')} />
          <Field label="Swap max" placeholder="no limit" {...bind('memorySwapMax')} />
        </fieldset>
        <fieldset className="grid gap-3 sm:grid-cols-2 lg:grid-cols-4">
          <legend className="mb-1 text-xs font-semibold uppercase tracking-wide text-zinc-500">Processes, I/O, network</legend>
          <Field label="Pids max" placeholder="no limit" inputMode="numeric" {...bind('pidsMax')} />
          <Field label="IO weight" placeholder="default" inputMode="numeric" {...bind('ioWeight')} />
          <Field label="Network in per container" placeholder="no cap" hint="bytes/s, e.g. 10M" {...bind('networkIngress')} />
          <Field label="Network out per container" placeholder="no cap" hint="bytes/s" {...bind('networkEgress')} />
        </fieldset>
        <div aria-live="polite" className="space-y-1">
          {preview.data?.errors.map((e) => (
            <p key={e.message} className="rounded bg-red-500/10 px-3 py-1.5 text-sm text-red-300">
              {e.message}
            </p>
          ))}
          {preview.data?.warnings.map((w) => (
            <p key={w} className="rounded bg-amber-500/10 px-3 py-1.5 text-sm text-amber-200" data-testid="overcommit-warning">
              {w}
            </p>
          ))}
        </div>
        {save.error && !Object.keys(errors).some((k) => k in form) && (
          <p role="alert" className="text-sm text-red-400">
            {errorMessage(save.error)}
          </p>
        )}
        <div className="flex gap-2">
          <Button type="submit" variant="primary" busy={save.isPending}>
            {tenant ? 'Save slice' : 'Create tenant'}
          </Button>
          <Button type="button" variant="ghost" onClick={onDone}>
            Cancel
          </Button>
        </div>
      </form>
    </Card>
  );
}

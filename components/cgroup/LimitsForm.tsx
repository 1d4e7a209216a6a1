'use client';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { useTRPC, type RouterInputs } from '@/components/app/trpc';
import { Button } from '@/components/ui/Button';
import { Card } from '@/components/ui/Card';
import { errorMessage, fieldErrors } from '@/components/ui/errors';
import { Field } from '@/components/ui/Field';
import type { CgroupDetail } from '@/server/cgroup/model';
import { sizeForInput } from './format';

type LimitsInput = RouterInputs['cgroups']['setLimits']['limits'];

interface FormValues {
  cpus: string;
  cpuWeight: string;
  cpusetCpus: string;
  cpusetMems: string;
  memoryMax: string;
  memoryHigh: string;
  memoryLow: string;
  memorySwapMax: string;
  pidsMax: string;
  ioWeight: string;
}

function initialValues(d: CgroupDetail): FormValues {
  const l = d.limits;
  const cpus = l.cpu?.maxQuotaUs != null && l.cpu.maxPeriodUs ? String(Number((l.cpu.maxQuotaUs / l.cpu.maxPeriodUs).toFixed(3))) : '';
  return {
    cpus,
    cpuWeight: l.cpu?.weight != null ? String(l.cpu.weight) : '',
    cpusetCpus: l.cpuset?.cpus ?? '',
    cpusetMems: l.cpuset?.mems ?? '',
    memoryMax: sizeForInput(l.memory?.max),
    memoryHigh: sizeForInput(l.memory?.high),
    memoryLow: sizeForInput(l.memory?.low),
    memorySwapMax: sizeForInput(l.memory?.swapMax),
    pidsMax: l.pids?.max != null ? String(l.pids.max) : '',
    ioWeight: l.io?.weight != null ? String(l.io.weight) : '',
  };
}

/** A number field: empty clears the limit; anything else is sent as typed so the server names the error. */
function numberOrNull(text: string): number | null {
  return text.trim() === '' ? null : Number(text.trim());
}

/** Only what the admin changed is sent; an emptied field means "no limit". */
export function changedLimits(before: FormValues, after: FormValues): LimitsInput {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(after) as (keyof FormValues)[]) {
    if (after[key].trim() === before[key].trim()) continue;
    const v = after[key].trim();
    if (key === 'cpus' || key === 'cpuWeight' || key === 'pidsMax' || key === 'ioWeight') out[key] = numberOrNull(v);
    else out[key] = v === '' ? null : v;
  }
  return out as LimitsInput;
}

/** Server errors name LimitsPatch keys or input paths; map both to the form's fields. */
function formErrors(err: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, message] of Object.entries(fieldErrors(err))) {
    const field = key.replace(/^limits\./, '').replace(/^cpuMax(QuotaUs|PeriodUs)$/, 'cpus');
    out[field] = message;
  }
  return out;
}

const unmanagedNote = 'This cgroup was not made by cgdash. Changing it can affect whatever manages it (systemd, a container engine).';

export function LimitsForm({ detail, onSaved }: { detail: CgroupDetail; onSaved: () => void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [initial, setInitial] = useState(() => initialValues(detail));
  const [values, setValues] = useState(initial);
  const [confirmUnmanaged, setConfirmUnmanaged] = useState(false);
  const managed = detail.managedPath !== null;
  const save = useMutation(
    trpc.cgroups.setLimits.mutationOptions({
      onSuccess: () => {
        setInitial(values);
        onSaved();
        void queryClient.invalidateQueries({ queryKey: trpc.cgroups.list.queryKey() });
      },
    }),
  );
  const errors = formErrors(save.error);
  const limits = changedLimits(initial, values);
  const nothingChanged = Object.keys(limits).length === 0;

  const bind = (key: keyof FormValues) => ({
    value: values[key],
    onChange: (e: { target: { value: string } }) => setValues((v) => ({ ...v, [key]: e.target.value })),
    error: errors[key],
    name: key,
  });

  const submit = (e: FormEvent) => {
    e.preventDefault();
    save.mutate({ path: detail.ref, limits, allowUnmanaged: !managed && confirmUnmanaged });
  };

  return (
    <Card title="Edit limits">
      <form onSubmit={submit} noValidate className="space-y-4">
        <p className="text-xs text-zinc-500">Sizes like 512K, 256M or 2G. An empty field means no limit.</p>
        <fieldset className="grid gap-3 sm:grid-cols-2 lg:grid-cols-4">
          <legend className="sr-only">CPU</legend>
          <Field label="CPUs (quota)" placeholder="no limit" inputMode="decimal" hint="e.g. 0.5 = half a CPU" {...bind('cpus')} />
          <Field label="CPU weight" placeholder="100" inputMode="numeric" hint="1–10000" {...bind('cpuWeight')} />
          <Field label="cpuset CPUs" placeholder="inherit" hint="e.g. 0-1,3" {...bind('cpusetCpus')} />
          <Field label="cpuset memory nodes" placeholder="inherit" {...bind('cpusetMems')} />
        </fieldset>
        <fieldset className="grid gap-3 sm:grid-cols-2 lg:grid-cols-4">
          <legend className="sr-only">Memory</legend>
          <Field label="Memory max" placeholder="no limit" {...bind('memoryMax')} />
          <Field label="Memory high" placeholder="no limit" hint={detail.placements.some((p) => p.version === 2 && p.controllers.includes('memory')) ? 'throttle above this' : 'cgroup v2 only'} {...bind('memoryHigh')} />
          <Field label="Memory low (reservation)" placeholder="none" {...bind('memoryLow')} />
          <Field label="Swap max" placeholder="no limit" {...bind('memorySwapMax')} />
        </fieldset>
        <fieldset className="grid gap-3 sm:grid-cols-2 lg:grid-cols-4">
          <legend className="sr-only">Processes and IO</legend>
          <Field label="Pids max" placeholder="no limit" inputMode="numeric" {...bind('pidsMax')} />
          <Field label="IO weight" placeholder="default" inputMode="numeric" hint="1–10000" {...bind('ioWeight')} />
        </fieldset>
        {!managed && (
          <label className="flex items-start gap-2 rounded-md border border-amber-500/30 bg-amber-500/5 p-3 text-sm text-amber-200">
            <input type="checkbox" className="mt-0.5" checked={confirmUnmanaged} onChange={(e) => setConfirmUnmanaged(e.target.checked)} />
            <span>{unmanagedNote} Change it anyway.</span>
          </label>
        )}
        {save.error && Object.keys(errors).length === 0 && (
          <p role="alert" className="text-sm text-red-400">
            {errorMessage(save.error)}
          </p>
        )}
        {save.isSuccess && !save.isPending && <p role="status" className="text-sm text-emerald-400">Saved: the kernel files now hold the new limits.</p>}
        <div className="flex gap-2">
          <Button type="submit" variant="primary" busy={save.isPending} disabled={nothingChanged || (!managed && !confirmUnmanaged)}>
            Save limits
          </Button>
          <Button type="button" variant="ghost" onClick={() => setValues(initial)} disabled={nothingChanged}>
            Reset
          </Button>
        </div>
      </form>
    </Card>
  );
}

'use client';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { useTRPC, type RouterOutputs } from '@/components/app/trpc';
import { Button } from '@/components/ui/Button';
import { Card } from '@/components/ui/Card';
import { errorMessage, fieldErrors } from '@/components/ui/errors';
import { Field } from '@/components/ui/Field';
import type { ContainerLimits } from '@/server/runtime/spec';
import { KernelLimits } from './KernelLimits';
import { ListField } from './ListField';
import { deviceRateFields, limitsChange, limitsErrorKey, limitsValuesOf, type DeviceRateField, type LimitsValues, type ScalarLimit } from './limitsForm';

type Inspect = RouterOutputs['containers']['inspect'];

const deviceLabels: Record<DeviceRateField, [string, string]> = {
  deviceReadBps: ['Device read bytes/s', '/dev/sda:10m or 8:0:10m'],
  deviceWriteBps: ['Device write bytes/s', '/dev/sda:10m'],
  deviceReadIops: ['Device read IO/s', '/dev/sda:1000'],
  deviceWriteIops: ['Device write IO/s', '/dev/sda:1000'],
};

/**
 * Change a container's limits while it runs (runc update, and the cgroup module for block I/O).
 * Only edited fields are sent; an emptied field removes that limit. After saving, the values
 * the kernel files hold now are shown beside the form.
 */
export function ContainerLimitsEditor({ inspect, inspectUpdatedAt, canWrite }: { inspect: Inspect; inspectUpdatedAt: number; canWrite: boolean }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [initial, setInitial] = useState(() => limitsValuesOf(inspect.spec.limits as ContainerLimits));
  const [values, setValues] = useState<LimitsValues>(initial);
  const [localErrors, setLocalErrors] = useState<Record<string, string>>({});
  const update = useMutation(
    trpc.containers.update.mutationOptions({
      onSuccess: (result) => {
        const saved = limitsValuesOf(result.limits as ContainerLimits);
        setInitial(saved);
        setValues(saved);
        void queryClient.invalidateQueries({ queryKey: trpc.containers.pathKey() });
      },
    }),
  );
  const serverErrors = Object.fromEntries(Object.entries(fieldErrors(update.error)).map(([k, v]) => [limitsErrorKey(k.replace(/^limits\./, '')), v]));
  const errors = Object.keys(localErrors).length ? localErrors : serverErrors;
  const { change } = limitsChange(initial, values);
  const nothingChanged = Object.keys(change).length === 0;
  const live = inspect.state === 'running' || inspect.state === 'paused' || inspect.state === 'created';
  // What the update read back, until an inspect made after it arrives.
  const kernel = update.data && update.submittedAt > inspectUpdatedAt ? update.data.kernel : inspect.cgroup.limits;

  const bind = (key: ScalarLimit) => ({
    value: values[key],
    onChange: (e: { target: { value: string } }) => setValues((v) => ({ ...v, [key]: e.target.value })),
    error: errors[`limits.${key}`],
    name: `limits.${key}`,
    disabled: !canWrite,
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const { change: c, errors: found } = limitsChange(initial, values);
    setLocalErrors(found);
    if (Object.keys(found).length) return;
    update.mutate({ ref: inspect.id, limits: c });
  };
  const placed = (k: string) => /^limits\.(cpus|cpuWeight|cpusetCpus|cpusetMems|memory|memorySwap|memoryReservation|pidsLimit|device(Read|Write)(Bps|Iops)(\.\d+)?)$/.test(k);
  const unplaced = update.error && !Object.keys(serverErrors).some(placed) ? errorMessage(update.error) : null;

  return (
    <div className="grid gap-4 xl:grid-cols-[minmax(0,1fr)_24rem]">
      <Card title="Edit limits">
        <form onSubmit={submit} noValidate className="space-y-4" aria-label="Edit limits">
          <p className="text-xs text-zinc-500">
            {live ? 'Applied at once to the running container.' : 'The container is not running: the new limits apply when it starts.'} Sizes like 64M or 1G; an empty field removes the limit.
          </p>
          <fieldset className="grid gap-3 sm:grid-cols-2 lg:grid-cols-4">
            <legend className="mb-1 text-xs font-semibold uppercase tracking-wide text-zinc-500">Memory</legend>
            <Field label="Memory" placeholder="no limit" {...bind('memory')} />
            <Field label="Memory + swap" placeholder="no limit" hint="-1 = unlimited swap" {...bind('memorySwap')} />
            <Field label="Memory reservation" placeholder="none" {...bind('memoryReservation')} />
            <Field label="Pids limit" placeholder="no limit" inputMode="numeric" {...bind('pidsLimit')} />
          </fieldset>
          <fieldset className="grid gap-3 sm:grid-cols-2 lg:grid-cols-4">
            <legend className="mb-1 text-xs font-semibold uppercase tracking-wide text-zinc-500">CPU</legend>
            <Field label="CPUs" placeholder="no limit" inputMode="decimal" hint="0.5 = half a CPU" {...bind('cpus')} />
            <Field label="CPU weight" placeholder="100" inputMode="numeric" hint="1–10000" {...bind('cpuWeight')} />
            <Field label="cpuset CPUs" placeholder="any" {...bind('cpusetCpus')} />
            <Field label="cpuset memory nodes" placeholder="any" {...bind('cpusetMems')} />
          </fieldset>
          <fieldset className="grid gap-4 md:grid-cols-2">
            <legend className="mb-1 text-xs font-semibold uppercase tracking-wide text-zinc-500">Block I/O</legend>
            {deviceRateFields.map((f) => (
              <ListField
                key={f}
                label={deviceLabels[f][0]}
                placeholder={deviceLabels[f][1]}
                name={`limits.${f}`}
                values={values[f]}
                onChange={(rows) => setValues((v) => ({ ...v, [f]: rows }))}
                errors={errors}
                addLabel="Add device"
              />
            ))}
          </fieldset>
          {unplaced && (
            <p role="alert" className="text-sm text-red-400">
              {unplaced}
            </p>
          )}
          {update.isSuccess && nothingChanged && (
            <p role="status" className="text-sm text-emerald-400">
              Saved{update.data.kernel ? ': the kernel files now hold the limits on the right.' : '.'}
            </p>
          )}
          {canWrite && (
            <div className="flex gap-2">
              <Button type="submit" variant="primary" busy={update.isPending} disabled={nothingChanged}>
                Save limits
              </Button>
              <Button
                type="button"
                variant="ghost"
                disabled={nothingChanged}
                onClick={() => {
                  setValues(initial);
                  setLocalErrors({});
                  update.reset();
                }}
              >
                Reset
              </Button>
            </div>
          )}
        </form>
      </Card>
      <Card title="In the kernel now">
        <KernelLimits limits={kernel ?? null} />
      </Card>
    </div>
  );
}

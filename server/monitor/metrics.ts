/**
 * GET /metrics in the Prometheus text format, with cAdvisor's metric names and label style so
 * that existing Grafana dashboards work against cgdash: `id` is the cgroup path, `name` the
 * container name, `image` its image, plus `tenant`.
 *
 * Where cgdash differs from cAdvisor, on purpose or for lack of data:
 *  - container_memory_working_set_bytes: cAdvisor subtracts inactive_file from usage; the sampler
 *    reads memory.file but not inactive_file, so this is usage − file (all page cache), which is
 *    at most cAdvisor's figure (lower by active_file).
 *  - container_fs_*: totals over all block devices, without cAdvisor's `device` label.
 *  - container_memory_failcnt is typed gauge (cAdvisor: counter) because promtool rejects a
 *    counter without the `_total` suffix; the values are the same monotonic count.
 *  - container_spec_memory_limit_bytes is 0 for "no limit", as cAdvisor reports on cgroup v2.
 *  - container_pressure_cpu_stalled_seconds_total is absent: the sampler reads cpu "some" only.
 */
import { Counter, Gauge, Registry } from 'prom-client';
import { Field, fieldBit } from './sampler';
import type { MetricsCgroup } from './monitor';

const labelNames = ['id', 'name', 'image', 'tenant'] as const;
type Labels = Record<(typeof labelNames)[number], string>;

interface Def {
  name: string;
  help: string;
  type: 'counter' | 'gauge';
  extra?: Record<string, string>;
  value: (c: MetricsCgroup, f: (field: number) => number | null) => number | null;
}

const usecToSec = (v: number | null) => (v === null ? null : v / 1e6);

const defs: Def[] = [
  { name: 'container_cpu_usage_seconds_total', help: 'Cumulative cpu time consumed in seconds.', type: 'counter', extra: { cpu: 'total' }, value: (_c, f) => usecToSec(f(Field.cpuUsageUsec)) },
  { name: 'container_cpu_user_seconds_total', help: 'Cumulative user cpu time consumed in seconds.', type: 'counter', value: (_c, f) => usecToSec(f(Field.cpuUserUsec)) },
  { name: 'container_cpu_system_seconds_total', help: 'Cumulative system cpu time consumed in seconds.', type: 'counter', value: (_c, f) => usecToSec(f(Field.cpuSystemUsec)) },
  { name: 'container_cpu_cfs_periods_total', help: 'Number of elapsed enforcement period intervals.', type: 'counter', value: (_c, f) => f(Field.cpuNrPeriods) },
  { name: 'container_cpu_cfs_throttled_periods_total', help: 'Number of throttled period intervals.', type: 'counter', value: (_c, f) => f(Field.cpuNrThrottled) },
  { name: 'container_cpu_cfs_throttled_seconds_total', help: 'Total time duration the container has been throttled.', type: 'counter', value: (_c, f) => usecToSec(f(Field.cpuThrottledUsec)) },
  { name: 'container_memory_usage_bytes', help: 'Current memory usage in bytes, including all memory regardless of when it was accessed.', type: 'gauge', value: (_c, f) => f(Field.memoryCurrentBytes) },
  {
    name: 'container_memory_working_set_bytes',
    help: 'Current working set in bytes (cgdash: usage minus all file-backed memory).',
    type: 'gauge',
    value: (_c, f) => {
      const usage = f(Field.memoryCurrentBytes);
      const file = f(Field.memoryFileBytes);
      return usage === null ? null : Math.max(0, usage - (file ?? 0));
    },
  },
  { name: 'container_memory_rss', help: 'Size of RSS (anonymous memory) in bytes.', type: 'gauge', value: (_c, f) => f(Field.memoryAnonBytes) },
  { name: 'container_memory_cache', help: 'Number of bytes of page cache memory.', type: 'gauge', value: (_c, f) => f(Field.memoryFileBytes) },
  { name: 'container_memory_swap', help: 'Container swap usage in bytes.', type: 'gauge', value: (_c, f) => f(Field.memorySwapCurrentBytes) },
  { name: 'container_memory_failcnt', help: 'Number of memory usage hits limits.', type: 'gauge', value: (_c, f) => f(Field.memoryEventsMax) },
  { name: 'container_oom_events_total', help: 'Count of out of memory events observed for the container.', type: 'counter', value: (_c, f) => f(Field.memoryEventsOomKill) },
  { name: 'container_spec_memory_limit_bytes', help: 'Memory limit for the container (0 = none).', type: 'gauge', value: (c) => (c.limits ? (c.limits.memoryMaxBytes ?? 0) : null) },
  { name: 'container_spec_cpu_quota', help: 'CPU quota of the container (microseconds per period).', type: 'gauge', value: (c) => c.limits?.cpuQuotaUs ?? null },
  { name: 'container_spec_cpu_period', help: 'CPU period of the container (microseconds).', type: 'gauge', value: (c) => c.limits?.cpuPeriodUs ?? null },
  { name: 'container_spec_cpu_shares', help: 'CPU share of the container.', type: 'gauge', value: (c) => c.limits?.cpuShares ?? null },
  { name: 'container_fs_reads_bytes_total', help: 'Cumulative count of bytes read.', type: 'counter', value: (_c, f) => f(Field.ioRbytes) },
  { name: 'container_fs_writes_bytes_total', help: 'Cumulative count of bytes written.', type: 'counter', value: (_c, f) => f(Field.ioWbytes) },
  { name: 'container_fs_reads_total', help: 'Cumulative count of reads completed.', type: 'counter', value: (_c, f) => f(Field.ioRios) },
  { name: 'container_fs_writes_total', help: 'Cumulative count of writes completed.', type: 'counter', value: (_c, f) => f(Field.ioWios) },
  { name: 'container_processes', help: 'Number of processes running inside the container.', type: 'gauge', value: (_c, f) => f(Field.pidsCurrent) },
  { name: 'container_pressure_cpu_waiting_seconds_total', help: 'Total time duration tasks in the container have waited due to CPU congestion.', type: 'counter', value: (_c, f) => usecToSec(f(Field.psiCpuSomeTotalUsec)) },
  { name: 'container_pressure_memory_waiting_seconds_total', help: 'Total time duration tasks in the container have waited due to memory congestion.', type: 'counter', value: (_c, f) => usecToSec(f(Field.psiMemorySomeTotalUsec)) },
  { name: 'container_pressure_memory_stalled_seconds_total', help: 'Total time duration no tasks in the container could make progress due to memory congestion.', type: 'counter', value: (_c, f) => usecToSec(f(Field.psiMemoryFullTotalUsec)) },
  { name: 'container_pressure_io_waiting_seconds_total', help: 'Total time duration tasks in the container have waited due to IO congestion.', type: 'counter', value: (_c, f) => usecToSec(f(Field.psiIoSomeTotalUsec)) },
  { name: 'container_pressure_io_stalled_seconds_total', help: 'Total time duration no tasks in the container could make progress due to IO congestion.', type: 'counter', value: (_c, f) => usecToSec(f(Field.psiIoFullTotalUsec)) },
  { name: 'container_last_seen', help: 'Last time a container was seen by the exporter', type: 'gauge', value: (c) => Math.floor(c.lastSeenMs / 1000) },
];

/** The metric names /metrics serves (for tests and docs). */
export const METRIC_NAMES: readonly string[] = defs.map((d) => d.name);

function labelsOf(c: MetricsCgroup): Labels {
  return { id: c.path, name: c.identity.name ?? '', image: c.identity.image ?? '', tenant: c.identity.tenant ?? '' };
}

/** Render the cgroups in the text exposition format. A fresh registry per scrape: no state. */
export async function renderMetrics(cgroups: readonly MetricsCgroup[]): Promise<{ contentType: string; body: string }> {
  const registry = new Registry();
  for (const d of defs) {
    const names = [...labelNames, ...Object.keys(d.extra ?? {})];
    const metric = d.type === 'counter'
      ? new Counter({ name: d.name, help: d.help, labelNames: names, registers: [registry] })
      : new Gauge({ name: d.name, help: d.help, labelNames: names, registers: [registry] });
    for (const c of cgroups) {
      const f = (field: number) => ((c.present & fieldBit(field)) !== 0 ? (c.raw[field] ?? null) : null);
      const v = d.value(c, f);
      if (v === null || !Number.isFinite(v)) continue;
      const labels = { ...labelsOf(c), ...d.extra };
      if (metric instanceof Counter) metric.inc(labels, v);
      else metric.set(labels, v);
    }
  }
  return { contentType: registry.contentType, body: await registry.metrics() };
}

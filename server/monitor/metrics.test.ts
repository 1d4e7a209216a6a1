import { describe, expect, it } from 'vitest';
import { renderMetrics, METRIC_NAMES } from './metrics';
import { mayScrape } from './metricsRoute';
import type { MetricsCgroup } from './monitor';
import { FIELD_COUNT, Field, fieldBit } from './sampler';

function cgroup(path: string, values: Partial<Record<keyof typeof Field, number>>, extra: Partial<MetricsCgroup> = {}): MetricsCgroup {
  const raw = new Float64Array(FIELD_COUNT);
  let present = 0;
  for (const [k, v] of Object.entries(values)) {
    raw[Field[k as keyof typeof Field]] = v;
    present |= fieldBit(Field[k as keyof typeof Field]);
  }
  return { ref: path, path, identity: {}, raw, present, limits: null, lastSeenMs: 1_700_000_000_000, ...extra };
}

describe('renderMetrics', () => {
  it('speaks cAdvisor: names, units in seconds, id/name/image/tenant labels', async () => {
    const { body, contentType } = await renderMetrics([
      cgroup('/cgdash/web', { cpuUsageUsec: 2_500_000, memoryCurrentBytes: 1000, memoryFileBytes: 300, memoryEventsOomKill: 2, psiIoFullTotalUsec: 1_000_000 }, {
        identity: { name: 'web', image: 'busybox', tenant: 'acme', kind: 'container' },
        limits: { cpuQuotaCores: 0.5, cpuQuotaUs: 50_000, cpuPeriodUs: 100_000, cpuShares: 1024, memoryMaxBytes: 4096, memoryHighBytes: null, swapMaxBytes: null, pidsMax: null, readAt: 0 },
      }),
      cgroup('/', { cpuUsageUsec: 10_000_000 }),
    ]);
    expect(contentType).toMatch(/text\/plain/);
    expect(body).toContain('container_cpu_usage_seconds_total{id="/cgdash/web",name="web",image="busybox",tenant="acme",cpu="total"} 2.5');
    expect(body).toContain('container_memory_working_set_bytes{id="/cgdash/web",name="web",image="busybox",tenant="acme"} 700');
    expect(body).toContain('container_oom_events_total{id="/cgdash/web",name="web",image="busybox",tenant="acme"} 2');
    expect(body).toContain('container_spec_cpu_quota{id="/cgdash/web",name="web",image="busybox",tenant="acme"} 50000');
    expect(body).toContain('container_spec_memory_limit_bytes{id="/cgdash/web",name="web",image="busybox",tenant="acme"} 4096');
    expect(body).toContain('container_pressure_io_stalled_seconds_total{id="/cgdash/web",name="web",image="busybox",tenant="acme"} 1');
    expect(body).toContain('container_cpu_usage_seconds_total{id="/",name="",image="",tenant="",cpu="total"} 10');
    expect(body).toContain('container_last_seen{id="/",name="",image="",tenant=""} 1700000000');
    // what is not known is not invented
    expect(body).not.toMatch(/container_memory_usage_bytes\{id="\/"/);
    expect(body).not.toMatch(/container_spec_cpu_quota\{id="\/"/);
    for (const name of METRIC_NAMES) expect(body).toContain(`# TYPE ${name} `);
  });
});

describe('who may scrape', () => {
  const principal = (role: 'admin' | 'viewer' | 'member', tenant: string | null = null) => ({ userId: 1, name: 'u', role, tenant, via: 'token' as const, tokenId: 1, mustSetPassword: false });
  const auth = (p: ReturnType<typeof principal> | null) => ({ authenticate: () => p });
  it('accepts the metrics token, or an admin or host viewer API token; nothing else', () => {
    const token = 'm'.repeat(24);
    expect(mayScrape({ monitor: { metricsSnapshot: () => [] }, auth: auth(null), metricsToken: token }, token)).toBe(true);
    expect(mayScrape({ monitor: { metricsSnapshot: () => [] }, auth: auth(null), metricsToken: token }, 'x'.repeat(24))).toBe(false);
    expect(mayScrape({ monitor: { metricsSnapshot: () => [] }, auth: auth(null), metricsToken: undefined }, undefined)).toBe(false);
    expect(mayScrape({ monitor: { metricsSnapshot: () => [] }, auth: auth(principal('admin')), metricsToken: undefined }, 'tok')).toBe(true);
    expect(mayScrape({ monitor: { metricsSnapshot: () => [] }, auth: auth(principal('viewer')), metricsToken: undefined }, 'tok')).toBe(true);
    expect(mayScrape({ monitor: { metricsSnapshot: () => [] }, auth: auth(principal('viewer', 'acme')), metricsToken: undefined }, 'tok')).toBe(false);
    expect(mayScrape({ monitor: { metricsSnapshot: () => [] }, auth: auth(principal('member', 'acme')), metricsToken: undefined }, 'tok')).toBe(false);
  });
});

'use client';
import { memo } from 'react';
import { Area, AreaChart, CartesianGrid, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { timeTick } from './format';
import { type PointStore, usePoints } from './store';

export interface ShareSeries {
  key: string;
  label: string;
  color: string;
}

/** Stacked areas: who makes up a total over time (e.g. each child's CPU of a parent). */
export const StackedShareChart = memo(function StackedShareChart({ store, series, windowMs, format, height = 200, label, minMax = 0 }: {
  store: PointStore;
  series: readonly ShareSeries[];
  windowMs: number;
  format: (v: number) => string;
  height?: number;
  label: string;
  /** The least the y axis shows, so that an idle chart reads "near zero", not "a few bytes". */
  minMax?: number;
}) {
  const points = usePoints(store);
  const end = points.at(-1)?.t ?? Date.now();
  return (
    <figure aria-label={label} className="m-0">
      <div style={{ height }}>
        <ResponsiveContainer width="100%" height="100%">
          <AreaChart data={points as unknown as Record<string, number | null>[]} margin={{ top: 6, right: 8, bottom: 0, left: 0 }}>
            <CartesianGrid stroke="#27272a" vertical={false} />
            <XAxis dataKey="t" type="number" scale="time" domain={[end - windowMs, end]} tickFormatter={timeTick(windowMs)} tick={{ fontSize: 11, fill: '#71717a' }} stroke="#3f3f46" minTickGap={40} allowDataOverflow />
            <YAxis tick={{ fontSize: 11, fill: '#71717a' }} stroke="#3f3f46" width={52} tickFormatter={format} domain={[0, (max: number) => Math.max(max, minMax) || 1]} />
            <Tooltip
              isAnimationActive={false}
              contentStyle={{ background: '#18181b', border: '1px solid #3f3f46', borderRadius: 6, fontSize: 12 }}
              labelFormatter={(t) => new Date(Number(t)).toLocaleTimeString()}
              formatter={(v) => (typeof v === 'number' ? format(v) : '—')}
            />
            {series.map((s) => (
              <Area key={s.key} dataKey={s.key} name={s.label} stackId="share" type="monotone" stroke={s.color} fill={s.color} fillOpacity={0.55} strokeWidth={1} dot={false} isAnimationActive={false} />
            ))}
          </AreaChart>
        </ResponsiveContainer>
      </div>
      <figcaption className="mt-1 flex flex-wrap gap-x-3 gap-y-0.5 text-[11px] text-zinc-400">
        {series.map((s) => (
          <span key={s.key} className="inline-flex items-center gap-1">
            <span aria-hidden className="inline-block size-2 rounded-sm" style={{ background: s.color }} />
            {s.label}
          </span>
        ))}
      </figcaption>
    </figure>
  );
});

/** Distinct colours for stacked series. */
export const SHARE_COLORS = ['#38bdf8', '#a78bfa', '#34d399', '#fbbf24', '#f472b6', '#fb923c', '#60a5fa', '#4ade80', '#e879f9', '#94a3b8'];

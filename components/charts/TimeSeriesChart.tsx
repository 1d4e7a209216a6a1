'use client';
import { memo } from 'react';
import { Area, CartesianGrid, ComposedChart, Line, ReferenceLine, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { timeTick } from './format';
import { type PointStore, usePoints } from './store';

export interface SeriesLine {
  /** Key in the points; stable so recharts keeps its elements. */
  key: string;
  label: string;
  color: string;
  /** Fill under the line. */
  area?: boolean;
  dashed?: boolean;
}

export interface LimitLine {
  y: number;
  label: string;
  color: string;
}

export interface TimeSeriesChartProps {
  store: PointStore;
  lines: readonly SeriesLine[];
  limits?: readonly LimitLine[];
  windowMs: number;
  format: (v: number) => string;
  /** Axis tick labels (shorter than `format`). */
  axisFormat?: (v: number) => string;
  height?: number;
  /** Keep the y axis at least this high (e.g. 100 % for one CPU). */
  minMax?: number;
  /** Whole-number axis ticks (bytes, counts). */
  integer?: boolean;
  label: string;
}

const axisStyle = { fontSize: 11, fill: '#71717a' };

/**
 * A live time series. Memoised: it re-renders when its store changes, not with its parent.
 * No animation (live data), no dots, a few hundred points at most (the store's buckets).
 */
export const TimeSeriesChart = memo(function TimeSeriesChart({ store, lines, limits = [], windowMs, format, axisFormat, height = 160, minMax, integer = false, label }: TimeSeriesChartProps) {
  const points = usePoints(store);
  const end = points.at(-1)?.t ?? Date.now();
  const limitMax = Math.max(0, ...limits.map((l) => l.y));
  return (
    <figure aria-label={label} className="m-0" data-points={points.length}>
      <div style={{ height }}>
        <ResponsiveContainer width="100%" height="100%">
          <ComposedChart data={points as unknown as ChartData} margin={{ top: 6, right: 8, bottom: 0, left: 0 }}>
            <CartesianGrid stroke="#27272a" vertical={false} />
            <XAxis dataKey="t" type="number" scale="time" domain={[end - windowMs, end]} tickFormatter={timeTick(windowMs)} tick={axisStyle} stroke="#3f3f46" minTickGap={40} allowDataOverflow />
            <YAxis tick={axisStyle} stroke="#3f3f46" width={52} tickFormatter={axisFormat ?? format} domain={[0, (max: number) => Math.max(max, minMax ?? 0, limitMax * 1.05) || 1]} allowDecimals={!integer} />
            <Tooltip
              isAnimationActive={false}
              contentStyle={{ background: '#18181b', border: '1px solid #3f3f46', borderRadius: 6, fontSize: 12 }}
              labelFormatter={(t) => new Date(Number(t)).toLocaleTimeString()}
              formatter={(v) => (typeof v === 'number' ? format(v) : '—')}
            />
            {limits.map((l) => (
              <ReferenceLine key={l.label} y={l.y} stroke={l.color} strokeDasharray="4 3" ifOverflow="extendDomain" label={{ value: l.label, position: 'insideTopRight', fill: l.color, fontSize: 10 }} />
            ))}
            {lines.map((l) =>
              l.area ? (
                <Area key={l.key} dataKey={l.key} name={l.label} type="monotone" stroke={l.color} fill={l.color} fillOpacity={0.15} strokeWidth={1.5} dot={false} isAnimationActive={false} connectNulls={false} />
              ) : (
                <Line key={l.key} dataKey={l.key} name={l.label} type="monotone" stroke={l.color} strokeWidth={1.5} strokeDasharray={l.dashed ? '3 3' : undefined} dot={false} isAnimationActive={false} connectNulls={false} />
              ),
            )}
          </ComposedChart>
        </ResponsiveContainer>
      </div>
      <figcaption className="mt-1 flex flex-wrap gap-x-3 gap-y-0.5 text-[11px] text-zinc-400">
        {lines.map((l) => (
          <span key={l.key} className="inline-flex items-center gap-1">
            <span aria-hidden className="inline-block h-0.5 w-3" style={{ background: l.color }} />
            {l.label} <span className="tabular text-zinc-200" data-testid={`last-${l.key}`}>{lastValue(points, l.key, format)}</span>
          </span>
        ))}
      </figcaption>
    </figure>
  );
});

type ChartData = Record<string, number | null>[];

function lastValue(points: readonly Record<string, number | null>[], key: string, format: (v: number) => string): string {
  for (let i = points.length - 1; i >= 0; i--) {
    const v = points[i]?.[key];
    if (typeof v === 'number') return format(v);
  }
  return '—';
}

/**
 * Live monitoring of every cgroup on the host: the sampler loop, rates, the 15-minute ring,
 * minute rollups in SQLite, events, and what the API and /metrics serve. See monitor.ts.
 */
export { Monitor, WINDOWS, RING_SPAN_MS } from './monitor';
export { findings, type DiagnoseResult } from './diagnose';
export { TOP_COLUMNS, decodeTopFrame, type TopFrame, type TopRow } from './wire';
export type {
  HistoryResult,
  HistorySeries,
  HistoryWindow,
  LiveFrame,
  MetricsCgroup,
  MonitorOptions,
  MonitorStatus,
} from './monitor';
export { monitorMigrations } from './schema';
export { EVENT_TYPES, type MonitorEvent, type MonitorEventType, type EventSeverity } from './events';
export type { EventFilter, EventPage } from './eventStore';
export type { CgroupIdentity, NameResolver } from './names';
export type { CgroupLimitsView } from './limits';
export { SERIES, SERIES_IDS, type SeriesId } from './series';
export { metricsHandler } from './metricsRoute';
export { renderMetrics, METRIC_NAMES } from './metrics';

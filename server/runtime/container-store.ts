/** SQLite rows of containers: the engine's memory across server restarts. */
import type { Db } from '@/server/db';
import { CgdashError } from '@/server/lib/errors';
import { parseContainerSpec, type ContainerSpec, type PortMapping } from './spec';

/**
 * creating: being set up (a row left in this state is a crash mid-create: reconcile cleans it);
 * created: runc created, process not started; running; paused (frozen); restarting: exited and
 * waiting for the restart policy's backoff; exited; dead: the runtime lost it (no exit code).
 */
export type ContainerState = 'creating' | 'created' | 'running' | 'paused' | 'restarting' | 'exited' | 'dead';

export interface NetworkRecord {
  network: string;
  ips: { network: string; address: string; gateway: string; prefix: number }[];
  ports: PortMapping[];
}

export interface ContainerRecord {
  id: string;
  name: string;
  spec: ContainerSpec;
  imageRef: string;
  imageDigest: string;
  state: ContainerState;
  pid: number | null;
  conmonPid: number | null;
  exitCode: number | null;
  oomKilled: boolean;
  createdAt: number;
  startedAt: number | null;
  finishedAt: number | null;
  restartCount: number;
  stoppedByUser: boolean;
  tenant: string | null;
  cgroupRef: string;
  network: NetworkRecord | null;
  error: string | null;
}

interface Row {
  id: string;
  name: string;
  spec: string;
  image_ref: string;
  image_digest: string;
  state: ContainerState;
  pid: number | null;
  conmon_pid: number | null;
  exit_code: number | null;
  oom_killed: number;
  created_at: number;
  started_at: number | null;
  finished_at: number | null;
  restart_count: number;
  stopped_by_user: number;
  tenant: string | null;
  cgroup_ref: string;
  network: string | null;
  error: string | null;
}

function fromRow(r: Row): ContainerRecord {
  return {
    id: r.id,
    name: r.name,
    spec: parseContainerSpec(JSON.parse(r.spec)),
    imageRef: r.image_ref,
    imageDigest: r.image_digest,
    state: r.state,
    pid: r.pid,
    conmonPid: r.conmon_pid,
    exitCode: r.exit_code,
    oomKilled: r.oom_killed === 1,
    createdAt: r.created_at,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
    restartCount: r.restart_count,
    stoppedByUser: r.stopped_by_user === 1,
    tenant: r.tenant,
    cgroupRef: r.cgroup_ref,
    network: r.network ? (JSON.parse(r.network) as NetworkRecord) : null,
    error: r.error,
  };
}

const columns: Record<keyof Omit<ContainerRecord, 'id'>, string> = {
  name: 'name', spec: 'spec', imageRef: 'image_ref', imageDigest: 'image_digest', state: 'state', pid: 'pid',
  conmonPid: 'conmon_pid', exitCode: 'exit_code', oomKilled: 'oom_killed', createdAt: 'created_at',
  startedAt: 'started_at', finishedAt: 'finished_at', restartCount: 'restart_count', stoppedByUser: 'stopped_by_user',
  tenant: 'tenant', cgroupRef: 'cgroup_ref', network: 'network', error: 'error',
};

function toColumn(key: keyof typeof columns, value: unknown): unknown {
  if (key === 'spec' || key === 'network') return value === null ? null : JSON.stringify(value);
  if (key === 'oomKilled' || key === 'stoppedByUser') return value ? 1 : 0;
  return value;
}

export class ContainerStore {
  constructor(private readonly db: Db) {}

  /** Insert a new container; a taken name is a 'conflict' naming it. */
  insert(rec: ContainerRecord): void {
    const keys = Object.keys(columns) as (keyof typeof columns)[];
    const sql = `INSERT INTO runtime_containers (id, ${keys.map((k) => columns[k]).join(', ')}) VALUES (?, ${keys.map(() => '?').join(', ')})`;
    try {
      this.db.prepare(sql).run(rec.id, ...keys.map((k) => toColumn(k, rec[k])));
    } catch (err) {
      if (/UNIQUE constraint failed: runtime_containers.name/.test(String(err))) {
        throw new CgdashError('conflict', `the name ${rec.name} is already in use by another container`, { field: 'name', value: rec.name });
      }
      throw err;
    }
  }

  update(id: string, patch: Partial<Omit<ContainerRecord, 'id'>>): void {
    const keys = Object.keys(patch) as (keyof typeof columns)[];
    if (!keys.length) return;
    const sql = `UPDATE runtime_containers SET ${keys.map((k) => `${columns[k]} = ?`).join(', ')} WHERE id = ?`;
    this.db.prepare(sql).run(...keys.map((k) => toColumn(k, patch[k])), id);
  }

  delete(id: string): void {
    this.db.prepare('DELETE FROM runtime_containers WHERE id = ?').run(id);
  }

  get(id: string): ContainerRecord | null {
    const row = this.db.prepare<[string], Row>('SELECT * FROM runtime_containers WHERE id = ?').get(id);
    return row ? fromRow(row) : null;
  }

  byName(name: string): ContainerRecord | null {
    const row = this.db.prepare<[string], Row>('SELECT * FROM runtime_containers WHERE name = ?').get(name);
    return row ? fromRow(row) : null;
  }

  /** By full id, unique id prefix (at least 4 hex digits) or name. */
  find(ref: string): ContainerRecord | null {
    const byName = this.byName(ref);
    if (byName) return byName;
    if (!/^[a-f0-9]{4,64}$/.test(ref)) return null;
    const rows = this.db.prepare<[string], Row>("SELECT * FROM runtime_containers WHERE id LIKE ? || '%' LIMIT 2").all(ref);
    if (rows.length > 1) throw new CgdashError('invalid', `container id prefix ${ref} is ambiguous`, { field: 'container' });
    return rows[0] ? fromRow(rows[0]) : null;
  }

  list(filter: { tenant?: string; states?: ContainerState[] } = {}): ContainerRecord[] {
    const rows = this.db.prepare<[], Row>('SELECT * FROM runtime_containers ORDER BY created_at').all();
    return rows
      .map(fromRow)
      .filter((r) => (filter.tenant === undefined || r.tenant === filter.tenant) && (!filter.states || filter.states.includes(r.state)));
  }

  /** Containers created from an image (by config digest). */
  usingImage(digest: string): ContainerRecord[] {
    return this.db.prepare<[string], Row>('SELECT * FROM runtime_containers WHERE image_digest = ?').all(digest).map(fromRow);
  }
}

import type { Limits } from '@/server/cgroup/model';

/** The io max (v1 blkio.throttle) entries of a cgroup, one device a line; "none" when empty. */
export function IoMaxList({ io }: { io: Limits['io'] }) {
  if (!io?.max.length) return <>none</>;
  return (
    <>
      {io.max.map((e) => (
        <div key={e.device} className="font-mono text-xs">
          {e.device} rbps={e.rbps ?? 'max'} wbps={e.wbps ?? 'max'} riops={e.riops ?? 'max'} wiops={e.wiops ?? 'max'}
        </div>
      ))}
    </>
  );
}

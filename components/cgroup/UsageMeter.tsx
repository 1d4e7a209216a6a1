import clsx from 'clsx';

/** A bar of used against a limit; amber past 80 %, red past 95 %. Without a limit, just the value. */
export function UsageMeter({ used, limit, label }: { used: number; limit: number | null; label: string }) {
  const ratio = limit ? Math.min(used / limit, 1) : null;
  return (
    <div>
      <div className="mb-1 flex justify-between text-xs text-zinc-400">
        <span>{label}</span>
        {ratio !== null && <span className="tabular">{(ratio * 100).toFixed(0)} %</span>}
      </div>
      <div className="h-2 overflow-hidden rounded bg-zinc-800" role="meter" aria-label={label} aria-valuemin={0} aria-valuemax={limit ?? undefined} aria-valuenow={used}>
        {ratio !== null && (
          <div
            className={clsx('h-full rounded', ratio > 0.95 ? 'bg-red-500' : ratio > 0.8 ? 'bg-amber-400' : 'bg-accent-500')}
            style={{ width: `${Math.max(ratio * 100, 1)}%` }}
          />
        )}
      </div>
    </div>
  );
}

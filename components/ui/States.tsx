import type { ReactNode } from 'react';
import { errorMessage } from './errors';

export function Spinner({ label = 'Loading' }: { label?: string }) {
  return (
    <div role="status" className="flex items-center gap-2 text-sm text-zinc-400">
      <span className="size-4 animate-spin rounded-full border-2 border-zinc-600 border-t-accent-400" aria-hidden />
      {label}…
    </div>
  );
}

/** Placeholder rows while a table loads, so the layout does not jump. */
export function SkeletonRows({ rows = 6 }: { rows?: number }) {
  return (
    <div className="space-y-2" aria-hidden>
      {Array.from({ length: rows }, (_, i) => (
        <div key={i} className="h-7 animate-pulse rounded bg-zinc-800/60" style={{ opacity: 1 - i * 0.12 }} />
      ))}
    </div>
  );
}

export function EmptyState({ title, children, action }: { title: ReactNode; children?: ReactNode; action?: ReactNode }) {
  return (
    <div className="flex flex-col items-center justify-center gap-2 rounded-lg border border-dashed border-zinc-800 px-6 py-10 text-center">
      <p className="text-sm font-medium text-zinc-300">{title}</p>
      {children && <p className="max-w-md text-sm text-zinc-500">{children}</p>}
      {action}
    </div>
  );
}

export function ErrorState({ error, retry }: { error: unknown; retry?: () => void }) {
  return (
    <div role="alert" className="flex items-start justify-between gap-4 rounded-lg border border-red-500/30 bg-red-500/5 px-4 py-3 text-sm">
      <div>
        <p className="font-medium text-red-300">Could not load this</p>
        <p className="mt-0.5 text-red-200/80">{errorMessage(error)}</p>
      </div>
      {retry && (
        <button onClick={retry} className="shrink-0 rounded border border-red-500/40 px-2 py-1 text-xs text-red-200 hover:bg-red-500/10">
          Retry
        </button>
      )}
    </div>
  );
}

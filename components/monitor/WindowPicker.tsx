'use client';
import clsx from 'clsx';
import { useRef, type KeyboardEvent } from 'react';
import type { HistoryWindow } from '@/server/monitor/monitor';

export const WINDOW_CHOICES: { value: HistoryWindow; label: string }[] = [
  { value: '1m', label: '1 min' },
  { value: '15m', label: '15 min' },
  { value: '1h', label: '1 h' },
  { value: '24h', label: '24 h' },
  { value: '7d', label: '7 d' },
];

/** A radio group of time windows; arrow keys move between them. */
export function WindowPicker({ value, onChange, label = 'Time window' }: { value: HistoryWindow; onChange: (w: HistoryWindow) => void; label?: string }) {
  const refs = useRef<(HTMLButtonElement | null)[]>([]);
  const index = WINDOW_CHOICES.findIndex((w) => w.value === value);
  const onKey = (e: KeyboardEvent) => {
    const step = e.key === 'ArrowRight' || e.key === 'ArrowDown' ? 1 : e.key === 'ArrowLeft' || e.key === 'ArrowUp' ? -1 : 0;
    if (!step) return;
    e.preventDefault();
    const next = (index + step + WINDOW_CHOICES.length) % WINDOW_CHOICES.length;
    onChange(WINDOW_CHOICES[next]!.value);
    refs.current[next]?.focus();
  };
  return (
    <div role="radiogroup" aria-label={label} className="inline-flex rounded-md border border-zinc-700 bg-zinc-900 p-0.5" onKeyDown={onKey}>
      {WINDOW_CHOICES.map((w, i) => (
        <button
          key={w.value}
          ref={(el) => {
            refs.current[i] = el;
          }}
          type="button"
          role="radio"
          aria-checked={w.value === value}
          tabIndex={w.value === value ? 0 : -1}
          onClick={() => onChange(w.value)}
          className={clsx('rounded px-2 py-0.5 text-xs', w.value === value ? 'bg-accent-600/25 font-medium text-accent-300' : 'text-zinc-400 hover:text-zinc-100')}
        >
          {w.label}
        </button>
      ))}
    </div>
  );
}

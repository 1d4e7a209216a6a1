'use client';
import clsx from 'clsx';
import { useId, useRef, type ReactNode } from 'react';

/**
 * A list of one-line entries (env vars, ports, volumes…): a row per entry with its own error,
 * "Add" appends a row and focuses it, Enter in a row adds the next one. Blank rows are allowed
 * (the form drops them), so errors are keyed by row, not by entry.
 */
export function ListField({ label, values, onChange, errors, name, placeholder, hint, addLabel = 'Add', list, mono = true }: {
  label: ReactNode;
  values: string[];
  onChange: (values: string[]) => void;
  /** Error keys: `name` for the whole list, `name.ROW` for a row. */
  errors: Record<string, string>;
  name: string;
  placeholder?: string;
  hint?: ReactNode;
  addLabel?: string;
  /** id of a <datalist> to suggest from. */
  list?: string;
  mono?: boolean;
}) {
  const id = useId();
  const inputs = useRef<(HTMLInputElement | null)[]>([]);
  const add = () => {
    onChange([...values, '']);
    requestAnimationFrame(() => inputs.current[values.length]?.focus());
  };
  const listError = errors[name];
  return (
    <div className="flex flex-col gap-1" role="group" aria-labelledby={`${id}-label`} data-field={name}>
      <span id={`${id}-label`} className="text-xs font-medium text-zinc-400">
        {label}
      </span>
      {values.map((v, i) => {
        const error = errors[`${name}.${i}`];
        return (
          <div key={i}>
            <div className="flex gap-1.5">
              <input
                ref={(el) => {
                  inputs.current[i] = el;
                }}
                value={v}
                list={list}
                placeholder={placeholder}
                aria-label={`${typeof label === 'string' ? label : name} ${i + 1}`}
                aria-invalid={error ? true : undefined}
                aria-describedby={error ? `${id}-${i}-error` : undefined}
                onChange={(e) => onChange(values.map((x, j) => (j === i ? e.target.value : x)))}
                onKeyDown={(e) => {
                  if (e.key === 'Enter') {
                    e.preventDefault();
                    add();
                  }
                }}
                className={clsx(
                  'h-9 w-full rounded-md border bg-zinc-900 px-3 text-sm text-zinc-100 placeholder:text-zinc-500 focus:outline-none focus:ring-2 focus:ring-accent-500/60',
                  mono && 'font-mono',
                  error ? 'border-red-500/80' : 'border-zinc-700',
                )}
              />
              <button
                type="button"
                onClick={() => onChange(values.filter((_, j) => j !== i))}
                aria-label={`Remove ${typeof label === 'string' ? label : name} ${i + 1}`}
                className="shrink-0 rounded-md px-2 text-zinc-500 hover:bg-zinc-800 hover:text-zinc-200"
              >
                ×
              </button>
            </div>
            {error && (
              <p id={`${id}-${i}-error`} role="alert" className="mt-0.5 text-xs text-red-400">
                {error}
              </p>
            )}
          </div>
        );
      })}
      <div>
        <button type="button" onClick={add} className="rounded px-1.5 py-0.5 text-xs font-medium text-accent-300 hover:bg-accent-600/10">
          + {addLabel}
        </button>
      </div>
      {listError ? (
        <p role="alert" className="text-xs text-red-400">
          {listError}
        </p>
      ) : hint ? (
        <p className="text-xs text-zinc-500">{hint}</p>
      ) : null}
    </div>
  );
}

'use client';
import { useEffect, useRef, type ReactNode } from 'react';

/** A modal on the native <dialog>: focus moves in, Esc closes, the page behind is inert. */
export function Dialog({ open, onClose, title, children, footer }: {
  open: boolean;
  onClose: () => void;
  title: ReactNode;
  children: ReactNode;
  footer?: ReactNode;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    if (open && !d.open) d.showModal();
    if (!open && d.open) d.close();
  }, [open]);
  return (
    <dialog
      ref={ref}
      onClose={onClose}
      onClick={(e) => e.target === ref.current && onClose()}
      className="m-auto w-full max-w-lg rounded-xl border border-zinc-700 bg-zinc-900 p-0 text-zinc-200 shadow-2xl backdrop:bg-black/60"
    >
      {open && (
        <div>
          <header className="border-b border-zinc-800 px-5 py-3">
            <h2 className="text-base font-semibold text-zinc-100">{title}</h2>
          </header>
          <div className="px-5 py-4">{children}</div>
          {footer && <footer className="flex justify-end gap-2 border-t border-zinc-800 px-5 py-3">{footer}</footer>}
        </div>
      )}
    </dialog>
  );
}

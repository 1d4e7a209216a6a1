'use client';
import { useRouter } from 'next/navigation';
import { useEffect } from 'react';
import type { NavItem } from './nav';

/** "g" then a letter jumps to a page, as in GitHub and Gmail; ignored while typing in a field. */
export function useGoShortcuts(items: NavItem[]) {
  const router = useRouter();
  useEffect(() => {
    let armedUntil = 0;
    const onKey = (e: KeyboardEvent) => {
      const target = e.target as HTMLElement | null;
      if (e.metaKey || e.ctrlKey || e.altKey) return;
      if (target && (target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName))) return;
      const now = Date.now();
      if (e.key === 'g') {
        armedUntil = now + 1000;
        return;
      }
      if (now < armedUntil) {
        const item = items.find((i) => i.key === e.key);
        armedUntil = 0;
        if (item) {
          e.preventDefault();
          router.push(item.href);
        }
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [items, router]);
}

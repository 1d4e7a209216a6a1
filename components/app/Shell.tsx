'use client';
import { useMutation, useQuery } from '@tanstack/react-query';
import clsx from 'clsx';
import Link from 'next/link';
import { usePathname, useRouter } from 'next/navigation';
import { useEffect, useMemo, type ReactNode } from 'react';
import { Spinner } from '@/components/ui/States';
import { canSee, homeOf, navSections } from './nav';
import { useTRPC } from './trpc';
import { useGoShortcuts } from './useGoShortcuts';

function isActive(pathname: string, href: string) {
  return href === '/' ? pathname === '/' : pathname === href || pathname.startsWith(`${href}/`);
}

export function Shell({ children }: { children: ReactNode }) {
  const trpc = useTRPC();
  const router = useRouter();
  const pathname = usePathname();
  const me = useQuery(trpc.auth.me.queryOptions());
  const logout = useMutation(trpc.auth.logout.mutationOptions({ onSuccess: () => router.replace('/login') }));
  const user = me.data?.user;
  const shortcuts = useMemo(() => navSections.flatMap((s) => s.items).filter((i) => user && canSee(i, user)), [user]);
  useGoShortcuts(shortcuts);

  useEffect(() => {
    if (me.data && !me.data.user) router.replace(`/login?next=${encodeURIComponent(pathname)}`);
    // A tenant member has no host pages: send them to their own slice.
    const item = navSections.flatMap((s) => s.items).find((i) => i.href === pathname);
    if (me.data?.user && item && !canSee(item, me.data.user)) router.replace(homeOf(me.data.user));
  }, [me.data, pathname, router]);

  if (!user) {
    return (
      <div className="grid min-h-screen place-items-center">
        <Spinner label="Checking your session" />
      </div>
    );
  }

  return (
    <div className="flex min-h-screen">
      <aside className="sticky top-0 flex h-screen w-52 shrink-0 flex-col border-r border-zinc-800 bg-zinc-900/40">
        <Link href={homeOf(user)} className="flex items-center gap-2 px-4 py-4">
          {/* eslint-disable-next-line @next/next/no-img-element */}
          <img src="/icon.svg" alt="" className="size-6" />
          <span className="text-base font-semibold tracking-tight text-zinc-100">cgdash</span>
        </Link>
        <nav aria-label="Main" className="flex-1 space-y-4 overflow-y-auto px-2 pb-4">
          {navSections.map((section) => {
            const items = section.items.filter((i) => canSee(i, user));
            if (!items.length) return null;
            return (
              <div key={section.title}>
                <div className="px-2 pb-1 text-[11px] font-semibold uppercase tracking-wider text-zinc-500">{section.title}</div>
                <ul className="space-y-0.5">
                  {items.map((item) => (
                    <li key={item.href}>
                      <Link
                        href={item.href}
                        aria-current={isActive(pathname, item.href) ? 'page' : undefined}
                        className={clsx(
                          'flex items-center justify-between rounded-md px-2 py-1.5 text-sm',
                          isActive(pathname, item.href)
                            ? 'bg-accent-600/15 font-medium text-accent-300'
                            : 'text-zinc-400 hover:bg-zinc-800/70 hover:text-zinc-100',
                        )}
                      >
                        {item.label}
                        {item.key && <kbd className="hidden text-[10px] text-zinc-600 lg:inline">g {item.key}</kbd>}
                      </Link>
                    </li>
                  ))}
                </ul>
              </div>
            );
          })}
        </nav>
        <div className="border-t border-zinc-800 px-3 py-3 text-xs">
          <div className="flex items-center justify-between gap-2">
            <div className="min-w-0">
              <div className="truncate font-medium text-zinc-200">{user.name}</div>
              <div className="text-zinc-500">
                {user.role}
                {user.tenant ? ` · ${user.tenant}` : ''}
              </div>
            </div>
            <button onClick={() => logout.mutate()} className="rounded px-2 py-1 text-zinc-400 hover:bg-zinc-800 hover:text-zinc-100">
              Log out
            </button>
          </div>
          <div className="mt-2 text-zinc-600">v{me.data?.version}</div>
        </div>
      </aside>
      <div className="flex min-w-0 flex-1 flex-col">
        {me.data?.readOnlyReason && (
          <div role="status" className="border-b border-amber-500/30 bg-amber-500/10 px-6 py-2 text-sm text-amber-200">
            Read-only: {me.data.readOnlyReason}. Start the server as root to make changes.
          </div>
        )}
        {user.mustSetPassword && pathname !== '/settings' && (
          <div role="status" className="border-b border-accent-500/30 bg-accent-600/10 px-6 py-2 text-sm text-accent-200">
            You logged in with a one-time link. <Link href="/settings#password" className="font-medium underline">Set a password</Link> so you can log in again.
          </div>
        )}
        <main className="mx-auto w-full max-w-[1600px] flex-1 px-6 py-6">{children}</main>
      </div>
    </div>
  );
}

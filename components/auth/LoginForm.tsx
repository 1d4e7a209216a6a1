'use client';
import { useMutation } from '@tanstack/react-query';
import { useRouter, useSearchParams } from 'next/navigation';
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { useTRPC } from '@/components/app/trpc';
import { Button } from '@/components/ui/Button';
import { errorMessage } from '@/components/ui/errors';
import { Field } from '@/components/ui/Field';

/** Only same-site paths: `next` comes from the URL and must not send anyone elsewhere. */
function safeNext(next: string | null): string {
  return next && next.startsWith('/') && !next.startsWith('//') ? next : '/';
}

export function LoginForm() {
  const trpc = useTRPC();
  const router = useRouter();
  const params = useSearchParams();
  const next = safeNext(params.get('next'));
  const linkToken = params.get('token');
  const [name, setName] = useState('');
  const [password, setPassword] = useState('');

  const login = useMutation(trpc.auth.login.mutationOptions({ onSuccess: () => router.replace(next) }));
  const linkLogin = useMutation(
    trpc.auth.loginWithLink.mutationOptions({
      onSuccess: (r) => router.replace(r.mustSetPassword ? '/settings#password' : next),
    }),
  );
  const tried = useRef(false);
  useEffect(() => {
    if (linkToken && !tried.current) {
      tried.current = true;
      linkLogin.mutate({ token: linkToken });
    }
  }, [linkToken, linkLogin]);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    login.mutate({ name, password });
  };

  return (
    <div className="w-full max-w-sm">
      <div className="mb-6 flex items-center justify-center gap-2">
        {/* eslint-disable-next-line @next/next/no-img-element */}
        <img src="/icon.svg" alt="" className="size-8" />
        <span className="text-2xl font-semibold tracking-tight text-zinc-100">cgdash</span>
      </div>
      <form onSubmit={submit} className="space-y-4 rounded-xl border border-zinc-800 bg-zinc-900/80 p-6 shadow-2xl shadow-black/40">
        <h1 className="text-lg font-semibold text-zinc-100">Log in</h1>
        {linkToken && linkLogin.isPending && <p className="text-sm text-zinc-400">Using your one-time login link…</p>}
        {linkLogin.error && (
          <p role="alert" className="rounded-md bg-red-500/10 px-3 py-2 text-sm text-red-300">
            {errorMessage(linkLogin.error)}. Restart the server to print a new link, or log in with a password.
          </p>
        )}
        <Field label="User" name="username" autoComplete="username" autoFocus={!linkToken} required value={name} onChange={(e) => setName(e.target.value)} />
        <Field label="Password" name="password" type="password" autoComplete="current-password" required value={password} onChange={(e) => setPassword(e.target.value)} />
        {login.error && (
          <p role="alert" className="text-sm text-red-400">
            {errorMessage(login.error)}
          </p>
        )}
        <Button type="submit" variant="primary" className="w-full" busy={login.isPending}>
          Log in
        </Button>
      </form>
      <p className="mt-4 text-center text-xs text-zinc-500">First start? The server printed a one-time login link in its log.</p>
    </div>
  );
}

'use client';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { useTRPC } from '@/components/app/trpc';
import { Button } from '@/components/ui/Button';
import { Card } from '@/components/ui/Card';
import { errorMessage, fieldErrors } from '@/components/ui/errors';
import { Field } from '@/components/ui/Field';

export function PasswordForm() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const me = useQuery(trpc.auth.me.queryOptions());
  const [current, setCurrent] = useState('');
  const [password, setPassword] = useState('');
  const [repeat, setRepeat] = useState('');
  const [mismatch, setMismatch] = useState(false);
  const save = useMutation(
    trpc.auth.setPassword.mutationOptions({
      onSuccess: () => {
        setCurrent('');
        setPassword('');
        setRepeat('');
        void queryClient.invalidateQueries({ queryKey: trpc.auth.me.queryKey() });
      },
    }),
  );
  const errors = fieldErrors(save.error);
  const firstPassword = me.data?.user?.mustSetPassword;

  const submit = (e: FormEvent) => {
    e.preventDefault();
    setMismatch(password !== repeat);
    if (password !== repeat) return;
    save.mutate({ password, currentPassword: firstPassword ? undefined : current });
  };

  return (
    <Card title={<span id="password">Password</span>}>
      <form onSubmit={submit} className="space-y-3">
        {!firstPassword && (
          <Field label="Current password" type="password" autoComplete="current-password" required value={current} onChange={(e) => setCurrent(e.target.value)} error={errors.currentPassword} />
        )}
        <Field label="New password" type="password" autoComplete="new-password" required minLength={10} hint="At least 10 characters." value={password} onChange={(e) => setPassword(e.target.value)} error={errors.password} />
        <Field label="Repeat new password" type="password" autoComplete="new-password" required value={repeat} onChange={(e) => setRepeat(e.target.value)} error={mismatch ? 'the two passwords differ' : null} />
        {save.error && !errors.password && !errors.currentPassword && <p role="alert" className="text-sm text-red-400">{errorMessage(save.error)}</p>}
        {save.isSuccess && <p role="status" className="text-sm text-emerald-400">Password saved.</p>}
        <Button type="submit" variant="primary" busy={save.isPending}>
          {firstPassword ? 'Set password' : 'Change password'}
        </Button>
      </form>
    </Card>
  );
}

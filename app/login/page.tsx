import { Suspense } from 'react';
import { LoginForm } from '@/components/auth/LoginForm';

export const metadata = { title: 'Log in' };

export default function LoginPage() {
  return (
    <div className="grid min-h-screen place-items-center bg-[radial-gradient(ellipse_at_top,rgba(14,116,144,0.18),transparent_60%)] px-4">
      <Suspense>
        <LoginForm />
      </Suspense>
    </div>
  );
}

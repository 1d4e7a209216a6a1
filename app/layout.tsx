import type { Metadata } from 'next';
import type { ReactNode } from 'react';
import { Providers } from '@/components/app/Providers';
import './globals.css';

export const metadata: Metadata = {
  title: { default: 'cgdash', template: '%s · cgdash' },
  description: 'cgroups, namespaces and containers of this host',
};

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body className="min-h-screen">
        <Providers>{children}</Providers>
      </body>
    </html>
  );
}

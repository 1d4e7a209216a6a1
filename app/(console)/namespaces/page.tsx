import { Suspense } from 'react';
import { NamespacesView } from '@/components/namespace/NamespacesView';

export const metadata = { title: 'Namespaces' };

export default function NamespacesPage() {
  return (
    <Suspense>
      <NamespacesView />
    </Suspense>
  );
}

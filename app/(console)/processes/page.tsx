import { Suspense } from 'react';
import { ProcessesView } from '@/components/process/ProcessesView';

export const metadata = { title: 'Processes' };

export default function ProcessesPage() {
  return (
    <Suspense>
      <ProcessesView />
    </Suspense>
  );
}

import { Suspense } from 'react';
import { TopView } from '@/components/monitor/TopView';

export const metadata = { title: 'Top' };

export default function TopPage() {
  return (
    <Suspense>
      <TopView />
    </Suspense>
  );
}

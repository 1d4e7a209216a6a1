import { Suspense } from 'react';
import { ContainerDetail } from '@/components/container/ContainerDetail';

export const metadata = { title: 'Container' };

export default async function ContainerPage({ params }: { params: Promise<{ ref: string }> }) {
  const { ref } = await params;
  return (
    <Suspense>
      <ContainerDetail key={ref} containerRef={decodeURIComponent(ref)} />
    </Suspense>
  );
}

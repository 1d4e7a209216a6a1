import { Suspense } from 'react';
import { ImagesView } from '@/components/image/ImagesView';

export const metadata = { title: 'Images' };

export default function ImagesPage() {
  return (
    <Suspense>
      <ImagesView />
    </Suspense>
  );
}

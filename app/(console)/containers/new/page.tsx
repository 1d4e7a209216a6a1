import { Suspense } from 'react';
import { CreateContainerForm } from '@/components/container/CreateContainerForm';

export const metadata = { title: 'Run a container' };

export default function NewContainerPage() {
  return (
    <Suspense>
      <CreateContainerForm />
    </Suspense>
  );
}

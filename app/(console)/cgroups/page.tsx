import { Suspense } from 'react';
import { CgroupsExplorer } from '@/components/cgroup/CgroupsExplorer';

export const metadata = { title: 'Cgroups' };

export default function CgroupsPage() {
  return (
    <Suspense>
      <CgroupsExplorer />
    </Suspense>
  );
}

import { ContainersView } from '@/components/container/ContainersView';

export const metadata = { title: 'Containers' };

export default function ContainersPage() {
  return <ContainersView />;
}

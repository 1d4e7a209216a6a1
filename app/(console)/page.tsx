import { PageHeader } from '@/components/ui/PageHeader';

export default function OverviewPage() {
  return <PageHeader title="Overview" description="This host at a glance." />;
}

import { TenantsView } from '@/components/tenant/TenantsView';

export const metadata = { title: 'Tenants' };

export default function TenantsPage() {
  return <TenantsView />;
}

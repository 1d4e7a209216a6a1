import { AuditView } from '@/components/admin/AuditView';

export const metadata = { title: 'Audit log' };

export default function AuditPage() {
  return <AuditView />;
}

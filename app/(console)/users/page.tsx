import { UsersView } from '@/components/admin/UsersView';

export const metadata = { title: 'Users' };

export default function UsersPage() {
  return <UsersView />;
}

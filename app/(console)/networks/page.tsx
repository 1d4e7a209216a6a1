import { NetworksView } from '@/components/network/NetworksView';

export const metadata = { title: 'Networks' };

export default function NetworksPage() {
  return <NetworksView />;
}

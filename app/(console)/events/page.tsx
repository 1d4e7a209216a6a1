import { Suspense } from 'react';
import { EventsView } from '@/components/monitor/EventsView';

export const metadata = { title: 'Events' };

export default function EventsPage() {
  return (
    <Suspense>
      <EventsView />
    </Suspense>
  );
}

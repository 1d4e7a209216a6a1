import { ApiTokens } from '@/components/settings/ApiTokens';
import { PasswordForm } from '@/components/settings/PasswordForm';
import { PageHeader } from '@/components/ui/PageHeader';

export const metadata = { title: 'Settings' };

export default function SettingsPage() {
  return (
    <>
      <PageHeader title="Settings" description="Your password and the API tokens the CLI and scripts use." />
      <div className="grid gap-6 xl:grid-cols-[minmax(0,24rem)_minmax(0,1fr)]">
        <PasswordForm />
        <ApiTokens />
      </div>
    </>
  );
}

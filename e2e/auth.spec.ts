import { LoginPage } from './pages/LoginPage';
import { expect, test } from './fixtures';

test.describe('auth', () => {
  test('every page needs a session: an anonymous visit lands on the login page', async ({ page }) => {
    await page.goto('/cgroups');
    await expect(page).toHaveURL(/\/login\?next=%2Fcgroups/);
    await expect(page.getByRole('heading', { name: 'Log in' })).toBeVisible();
  });

  test('a wrong password is refused with a message', async ({ page }) => {
    const login = new LoginPage(page);
    await login.goto();
    await login.logIn('admin', 'not-the-password');
    await login.expectError('wrong user name or password');
  });

  test('the admin logs in, is sent back where they were going, and logs out', async ({ page, server }) => {
    const login = new LoginPage(page);
    await login.goto('/settings');
    await login.logIn('admin', server.adminPassword);
    await expect(page).toHaveURL(/\/settings$/);
    await expect(page.getByRole('heading', { name: 'Settings' })).toBeVisible();
    await page.getByRole('button', { name: 'Log out' }).click();
    await expect(page).toHaveURL(/\/login/);
    await page.goto('/settings');
    await expect(page).toHaveURL(/\/login/);
  });

  test('an API token made in the UI works as a Bearer token and stops working when revoked', async ({ adminPage: page, server }) => {
    await page.goto('/settings');
    await page.getByLabel('New token name').fill('e2e token');
    await page.getByRole('button', { name: 'Create token' }).click();
    const secret = (await page.getByTestId('new-token').textContent())!.trim();
    const me = () => fetch(`${server.url}/api/trpc/auth.me`, { headers: { authorization: `Bearer ${secret}` } }).then((r) => r.json());
    expect(JSON.stringify(await me())).toContain('"name":"admin"');
    await page.getByRole('row', { name: /e2e token/ }).getByRole('button', { name: 'Revoke' }).click();
    await expect(page.getByRole('row', { name: /e2e token/ })).toContainText('revoked');
    expect(JSON.stringify(await me())).toContain('"user":null');
  });

  test('a cross-origin mutation is refused even with a valid session', async ({ adminPage: page, server }) => {
    const cookies = await page.context().cookies();
    const session = cookies.find((c) => c.name === 'cgdash_session')!;
    expect(session.httpOnly).toBe(true);
    expect(session.sameSite).toBe('Strict');
    const res = await fetch(`${server.url}/api/trpc/auth.tokens.create`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie: `cgdash_session=${session.value}`, origin: 'http://evil.example' },
      body: JSON.stringify({ json: { name: 'csrf' } }),
    });
    expect(res.status).toBe(403);
  });
});

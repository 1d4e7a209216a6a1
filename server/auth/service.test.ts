import { beforeEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../db';
import { bootstrapAdmin } from './bootstrap';
import { FailureRateLimiter } from './rateLimit';
import { authMigrations } from './schema';
import { hashPassword } from './secrets';
import { AuthService } from './service';

const meta = { ip: '127.0.0.1' };

describe('AuthService', () => {
  let auth: AuthService;
  beforeEach(() => {
    auth = new AuthService(openDatabase(':memory:', authMigrations));
  });

  it('first start makes an admin with a one-time link that works once', () => {
    const first = bootstrapAdmin(auth, { baseUrl: 'http://127.0.0.1:3000' });
    expect(first.loginUrl).toMatch(/^http:\/\/127\.0\.0\.1:3000\/login\?token=l_/);
    const link = new URL(first.loginUrl!).searchParams.get('token')!;
    const { secret } = auth.loginWithLink(link, meta);
    expect(auth.authenticate({ sessionSecret: secret })).toMatchObject({ name: 'admin', role: 'admin', mustSetPassword: true });
    expect(() => auth.loginWithLink(link, meta)).toThrow(/invalid, expired or already used/);
  });

  it('prints no link once the admin has a password, and presets the admin token', async () => {
    bootstrapAdmin(auth, { baseUrl: 'http://x' });
    const admin = auth.users.firstAdmin()!;
    await auth.setPassword(admin.id, 'correct horse battery');
    const token = 'cgd_preset_token_for_automation_0123456789';
    expect(bootstrapAdmin(auth, { baseUrl: 'http://x', adminToken: token }).loginUrl).toBeNull();
    expect(auth.authenticate({ bearer: token })).toMatchObject({ name: 'admin', via: 'token' });
    const changed = 'cgd_another_token_for_automation_9876543210';
    bootstrapAdmin(auth, { baseUrl: 'http://x', adminToken: changed });
    expect(auth.authenticate({ bearer: token })).toBeNull();
    expect(auth.authenticate({ bearer: changed })).not.toBeNull();
  });

  it('logs in with a password and rejects a wrong one', async () => {
    auth.users.create({ name: 'sally', role: 'member', tenant: 'sally', passwordHash: await hashPassword('pw-sally-123') });
    const { secret } = await auth.login('sally', 'pw-sally-123', meta);
    expect(auth.authenticate({ sessionSecret: secret })).toMatchObject({ name: 'sally', tenant: 'sally', via: 'session' });
    await expect(auth.login('sally', 'nope', meta)).rejects.toThrow('wrong user name or password');
    await expect(auth.login('nobody', 'nope', meta)).rejects.toThrow('wrong user name or password');
  });

  it('rate limits failed logins per address', async () => {
    let now = 1_000_000;
    auth = new AuthService(openDatabase(':memory:', authMigrations), { limiter: new FailureRateLimiter(3, 60_000, () => now) });
    auth.users.create({ name: 'joe', role: 'member', passwordHash: await hashPassword('right-password') });
    for (let i = 0; i < 3; i++) await expect(auth.login('joe', 'bad', meta)).rejects.toThrow(/wrong/);
    await expect(auth.login('joe', 'right-password', meta)).rejects.toThrow(/too many failed logins: try again in 60 s/);
    now += 61_000;
    await expect(auth.login('joe', 'right-password', meta)).resolves.toHaveProperty('secret');
  });

  it('disabling a user ends their sessions and revokes their tokens at once', async () => {
    const joe = auth.users.create({ name: 'joe', role: 'member', passwordHash: await hashPassword('pw-joe-1234') });
    const { secret: session } = await auth.login('joe', 'pw-joe-1234', meta);
    const { secret: token } = auth.tokens.create(joe.id, 'ci');
    auth.disableUser(joe.id);
    expect(auth.authenticate({ sessionSecret: session })).toBeNull();
    expect(auth.authenticate({ bearer: token })).toBeNull();
    await expect(auth.login('joe', 'pw-joe-1234', meta)).rejects.toThrow(/wrong/);
  });

  it('stores tokens hashed and revokes one', () => {
    const admin = auth.users.create({ name: 'root2', role: 'admin' });
    const { token, secret } = auth.tokens.create(admin.id, 'laptop');
    expect(token.prefix).toBe(secret.slice(0, 8));
    expect(JSON.stringify(auth.tokens.listFor(admin.id))).not.toContain(secret);
    auth.tokens.revoke(token.id, admin.id);
    expect(auth.authenticate({ bearer: secret })).toBeNull();
    expect(() => auth.tokens.revoke(token.id, admin.id + 1)).toThrow(/no API token/);
  });

  it('asks for the current password before changing a set one', async () => {
    const u = auth.users.create({ name: 'viewer1', role: 'viewer', passwordHash: await hashPassword('first-password') });
    await expect(auth.setPassword(u.id, 'second-password', 'wrong')).rejects.toMatchObject({ details: { field: 'currentPassword' } });
    await auth.setPassword(u.id, 'second-password', 'first-password');
    await expect(auth.login('viewer1', 'second-password', meta)).resolves.toHaveProperty('secret');
  });

  it('keeps secrets out of the audit log', () => {
    auth.audit.record({ userId: 1, userName: 'admin', action: 'auth.setPassword', target: null, params: { password: 'hunter2', nested: { token: 'x', keep: 1n } }, ip: '::1', result: 'ok', message: null });
    const [entry] = auth.audit.list();
    expect(JSON.stringify(entry?.params)).not.toContain('hunter2');
    expect(entry?.params).toEqual({ password: '[redacted]', nested: { token: '[redacted]', keep: '1' } });
  });
});

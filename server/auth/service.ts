import type { Db } from '../db';
import { CgdashError } from '../lib/errors';
import { ApiTokenStore } from './apiTokens';
import { AuditLog } from './audit';
import { LoginLinkStore } from './loginLinks';
import type { Principal } from './principal';
import { FailureRateLimiter } from './rateLimit';
import { hashPassword, verifyPassword } from './secrets';
import { SessionStore } from './sessions';
import { UserStore, type UserRow } from './users';

export const sessionCookieName = 'cgdash_session';

export interface Credentials {
  /** Value of the session cookie, if any. */
  sessionSecret?: string;
  /** Value after "Bearer " in Authorization, if any. */
  bearer?: string;
}

export class AuthService {
  readonly users: UserStore;
  readonly sessions: SessionStore;
  readonly tokens: ApiTokenStore;
  readonly links: LoginLinkStore;
  readonly audit: AuditLog;
  private readonly limiter: FailureRateLimiter;

  constructor(db: Db, options: { limiter?: FailureRateLimiter } = {}) {
    this.users = new UserStore(db);
    this.sessions = new SessionStore(db);
    this.tokens = new ApiTokenStore(db);
    this.links = new LoginLinkStore(db);
    this.audit = new AuditLog(db);
    this.limiter = options.limiter ?? new FailureRateLimiter();
  }

  /** Who the credentials belong to, or null. A disabled user authenticates as nobody. */
  authenticate(creds: Credentials): Principal | null {
    if (creds.bearer) {
      const token = this.tokens.lookup(creds.bearer);
      if (!token) return null;
      return this.principalFor(this.users.row(token.userId), 'token', token.id);
    }
    if (creds.sessionSecret) {
      const userId = this.sessions.lookup(creds.sessionSecret);
      if (userId === undefined) return null;
      return this.principalFor(this.users.row(userId), 'session', null);
    }
    return null;
  }

  private principalFor(row: UserRow | undefined, via: Principal['via'], tokenId: number | null): Principal | null {
    if (!row || row.disabled) return null;
    return {
      userId: row.id,
      name: row.name,
      role: row.role,
      tenant: row.tenant,
      via,
      tokenId,
      mustSetPassword: row.password_hash === null,
    };
  }

  /** Password login; returns the new session secret. Failures are rate limited per address and per name. */
  async login(name: string, password: string, meta: { ip: string; userAgent?: string }): Promise<{ secret: string; userId: number }> {
    const keys = [`ip:${meta.ip}`, `user:${name.toLowerCase()}`];
    const wait = Math.max(...keys.map((k) => this.limiter.retryAfterMs(k)));
    if (wait > 0) {
      throw new CgdashError('busy', `too many failed logins: try again in ${Math.ceil(wait / 1000)} s`);
    }
    const row = this.users.rowByName(name);
    const ok = row?.password_hash ? await verifyPassword(password, row.password_hash) : false;
    if (!row || !ok || row.disabled) {
      keys.forEach((k) => this.limiter.recordFailure(k));
      throw new CgdashError('forbidden', 'wrong user name or password');
    }
    keys.forEach((k) => this.limiter.reset(k));
    return { secret: this.sessions.create(row.id, meta), userId: row.id };
  }

  /** One-time link login (first start); returns the new session secret. */
  loginWithLink(linkSecret: string, meta: { ip: string; userAgent?: string }): { secret: string; userId: number } {
    const key = `ip:${meta.ip}`;
    if (this.limiter.retryAfterMs(key) > 0) throw new CgdashError('busy', 'too many failed logins: try again later');
    const userId = this.links.consume(linkSecret);
    const row = userId === undefined ? undefined : this.users.row(userId);
    if (!row || row.disabled) {
      this.limiter.recordFailure(key);
      throw new CgdashError('forbidden', 'this login link is invalid, expired or already used');
    }
    return { secret: this.sessions.create(row.id, meta), userId: row.id };
  }

  async setPassword(userId: number, password: string, currentPassword?: string): Promise<void> {
    const row = this.users.row(userId);
    if (!row) throw new CgdashError('not_found', 'no such user');
    if (row.password_hash) {
      if (!currentPassword || !(await verifyPassword(currentPassword, row.password_hash))) {
        throw new CgdashError('forbidden', 'the current password is wrong', { field: 'currentPassword' });
      }
    }
    this.users.setPasswordHash(userId, await hashPassword(password));
  }

  /** Disable a user and cut every way in at once: sessions and API tokens. */
  disableUser(userId: number): void {
    this.users.setDisabled(userId, true);
    this.sessions.destroyAllFor(userId);
    this.tokens.revokeAllFor(userId);
  }
}

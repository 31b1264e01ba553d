import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { eq } from 'drizzle-orm';
import { SUPER_TENANT } from './super-tenant';
import { hashPassword } from './auth/password';
import type { Database } from './db/drizzle';
import { selfSignupDefault } from './env';
import { tenants, users, type Role } from './db/schema';

const demoUsers: { username: string; displayName: string; roles: Role[]; passwordEnv: string }[] = [
  { username: 'admin', displayName: 'Administrator', roles: ['admin'], passwordEnv: 'PRIVATEJET_ADMIN_PASSWORD' },
  { username: 'publisher', displayName: 'Publisher', roles: ['publisher'], passwordEnv: 'PRIVATEJET_PUBLISHER_PASSWORD' },
  { username: 'developer', displayName: 'Developer', roles: ['subscriber'], passwordEnv: 'PRIVATEJET_DEVELOPER_PASSWORD' },
];

export interface SeededAccount {
  username: string;
  roles: Role[];
  password: string;
  generated: boolean;
}

/** 18 random bytes as base64url: 24 characters, about 144 bits — no fixed default password exists. */
export function generatePassword(): string {
  return randomBytes(18).toString('base64url');
}

/**
 * On the very first start (no super tenant yet): the super tenant and one user per role.
 * Later starts find the tenant and change nothing, so existing data is kept.
 */
export async function seedIfEmpty(database: Database, env: Record<string, string | undefined> = process.env): Promise<SeededAccount[] | null> {
  const [existing] = await database.select({ id: tenants.id }).from(tenants).where(eq(tenants.domain, SUPER_TENANT));
  if (existing) return null;
  const accounts = demoUsers.map((user) => {
    const given = env[user.passwordEnv];
    return { username: user.username, roles: user.roles, password: given || generatePassword(), generated: !given };
  });
  const hashes = await Promise.all(accounts.map((account) => hashPassword(account.password)));
  await database.transaction(async (tx) => {
    const [tenant] = await tx
      .insert(tenants)
      .values({ domain: SUPER_TENANT, displayName: 'Super tenant', selfSignup: selfSignupDefault(env) })
      .returning({ id: tenants.id });
    await tx.insert(users).values(
      demoUsers.map((user, index) => ({
        tenantId: tenant!.id,
        username: user.username,
        displayName: user.displayName,
        roles: user.roles,
        passwordHash: hashes[index]!,
      })),
    );
  });
  return accounts;
}

/** Written once, readable only by the owner, for whoever missed the console. */
export function writeCredentialsFile(directory: string, accounts: SeededAccount[]): string {
  fs.mkdirSync(directory, { recursive: true, mode: 0o700 });
  const file = path.join(directory, 'initial-credentials.txt');
  const lines = accounts.map((a) => `${a.username}\t${a.roles.join(',')}\t${a.generated ? a.password : '(from environment)'}`);
  fs.writeFileSync(file, ['# username\troles\tpassword', ...lines, ''].join('\n'), { mode: 0o600 });
  fs.chmodSync(file, 0o600);
  return file;
}

/** Seed passwords the end-to-end server starts with (a fresh data folder each run). */
export const seededAccounts = {
  admin: { identifier: 'admin', password: 'e2e-admin-password' },
  publisher: { identifier: 'publisher', password: 'e2e-publisher-password' },
  developer: { identifier: 'developer', password: 'e2e-developer-password' },
} as const;

export const seedPasswordEnv = {
  PRIVATEJET_ADMIN_PASSWORD: seededAccounts.admin.password,
  PRIVATEJET_PUBLISHER_PASSWORD: seededAccounts.publisher.password,
  PRIVATEJET_DEVELOPER_PASSWORD: seededAccounts.developer.password,
};

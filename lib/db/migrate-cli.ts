// `npm run db:migrate`: applies drizzle/ migrations to the configured database and exits.
import { appDatabase } from './drizzle';
import { startupFailureLine } from '../errors';

async function main(): Promise<void> {
  const handle = await appDatabase();
  await handle.migrate();
  console.log(`Migrated ${handle.kind} database (${handle.location}).`);
  await handle.close();
}

main().catch((error: unknown) => {
  console.error(startupFailureLine('migrating the database', error));
  process.exit(1);
});

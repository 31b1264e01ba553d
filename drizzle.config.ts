import { defineConfig } from 'drizzle-kit';

// Generates SQL migrations into drizzle/ from lib/db/schema.ts; the app applies them on start.
export default defineConfig({
  dialect: 'postgresql',
  schema: './lib/db/schema.ts',
  out: './drizzle',
});

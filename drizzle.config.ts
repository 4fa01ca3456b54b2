import { defineConfig } from 'drizzle-kit';

// `npm run db:generate` writes a new migration into schema/migrations/sqlite after a
// change to schema/tables.ts. Migrations are shipped and applied at every start.
export default defineConfig({
  dialect: 'sqlite',
  schema: './schema/tables.ts',
  out: './schema/migrations/sqlite',
});

import { defineConfig } from 'drizzle-kit';

// PostgreSQL migrations, generated from the tables derived in schema/tables-pg.ts
// (`npm run db:generate` writes both engines' migrations).
export default defineConfig({
  dialect: 'postgresql',
  schema: './schema/tables-pg.ts',
  out: './schema/migrations/postgres',
});

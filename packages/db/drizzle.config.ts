import { defineConfig } from 'drizzle-kit';

// Only `generate` runs through drizzle-kit (it needs no database); migrations are applied by src/migrate.ts.
export default defineConfig({
  dialect: 'postgresql',
  schema: './src/schema.ts',
  out: './migrations',
  casing: 'snake_case',
});

/**
 * The PostgreSQL event store's schema: the SQLite store's tables and versions, one for one
 * (version 1: events and profiles; 2: client event ids and receive times), in a PostgreSQL
 * schema of their own (`public` unless the URL names another), with the version in a one-row
 * table. Every replica migrates at start, each inside one transaction holding an advisory lock
 * on the schema's name, so replicas starting at once migrate it exactly once: the others wait,
 * then find it done.
 */
import type { ClientBase } from 'pg';

/** PG_MIGRATIONS[v-1] takes a schema from version v-1 to v (the same steps as SQLITE_MIGRATIONS). */
export const PG_MIGRATIONS: readonly string[] = [
  // 1: events and profiles. "user" is a reserved word in PostgreSQL, hence the quotes.
  `CREATE TABLE events (
     seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
     "user" TEXT NOT NULL,
     item TEXT NOT NULL,
     kind TEXT NOT NULL CHECK (kind IN ('rating', 'click', 'view')),
     rating DOUBLE PRECISION,
     ts BIGINT NOT NULL
   );
   CREATE INDEX events_by_user ON events ("user", seq);
   CREATE TABLE profiles (
     "user" TEXT PRIMARY KEY,
     age INTEGER,
     gender TEXT,
     occupation TEXT,
     updated BIGINT NOT NULL
   );`,
  // 2: client event ids (a retried post is stored once) and the server's receive time.
  `ALTER TABLE events ADD COLUMN event_id TEXT;
   ALTER TABLE events ADD COLUMN received BIGINT;
   CREATE UNIQUE INDEX events_user_event_id ON events ("user", event_id) WHERE event_id IS NOT NULL;`,
];

/** Schema names are plain lower-case identifiers, so they need no quoting anywhere (search_path included). */
export function checkSchemaName(schema: string): string {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) throw new Error(`event store: schema "${schema}" must be lower-case letters, digits and _ (at most 63), not starting with a digit`);
  return schema;
}

/** The version a schema is at (0: no neurec tables there). */
export async function pgSchemaVersion(db: ClientBase, schema: string): Promise<number> {
  const t = await db.query('SELECT to_regclass($1) IS NOT NULL AS present', [`${schema}.neurec_schema`]);
  if (!t.rows[0].present) return 0;
  const r = await db.query(`SELECT version FROM ${schema}.neurec_schema`);
  return r.rows.length ? Number(r.rows[0].version) : 0;
}

/** Brings `schema` to `target` (default: the latest) in one transaction under an advisory lock; returns the version. */
export async function migratePg(db: ClientBase, schema: string, where: string, target = PG_MIGRATIONS.length): Promise<number> {
  checkSchemaName(schema);
  await db.query('BEGIN');
  try {
    // Taken before anything is created: CREATE SCHEMA IF NOT EXISTS itself races without it.
    await db.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`neurec:migrate:${schema}`]);
    await db.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
    await db.query(`SET LOCAL search_path TO ${schema}`);
    await db.query('CREATE TABLE IF NOT EXISTS neurec_schema (version INTEGER NOT NULL)');
    const at = await pgSchemaVersion(db, schema);
    if (at > PG_MIGRATIONS.length)
      throw new Error(`event store ${where}: schema version ${at} is newer than this neurec knows (${PG_MIGRATIONS.length}); upgrade neurec`);
    for (let v = at; v < target; v++) await db.query(PG_MIGRATIONS[v]);
    if (target > at) {
      await db.query('DELETE FROM neurec_schema');
      await db.query('INSERT INTO neurec_schema (version) VALUES ($1)', [target]);
    }
    await db.query('COMMIT');
    return Math.max(at, target);
  } catch (e) {
    await db.query('ROLLBACK').catch(() => {});
    throw e;
  }
}

// Frozen: this migration never changes once released; later changes go in new files.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  // The exact bytes of quarantined input whose text column shows it escaped (a NUL, a control character or bytes
  // that are not UTF-8 cannot be stored in a text column as they are). Null when `raw` is the input itself.
  await sql`alter table quarantine add column raw_bytes bytea`.execute(db);

  // HJ 212 password lockouts: after repeated wrong passwords for a station MN from one address, that address is
  // refused for that MN until locked_until; each further lockout (level) lasts longer. The listener keeps the
  // live state in memory and writes a row when a lockout begins, so other processes can show it.
  await sql`
    create table hj212_lockout (
      source_id text not null,
      mn text not null,
      address text not null,
      level integer not null,
      failures integer not null,
      locked_at timestamptz not null,
      locked_until timestamptz not null,
      primary key (source_id, mn, address)
    )`.execute(db);
  await sql`create index hj212_lockout_until_idx on hj212_lockout (source_id, locked_until)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop table if exists hj212_lockout`.execute(db);
  await sql`alter table quarantine drop column if exists raw_bytes`.execute(db);
}

/** GET /healthz for container health checks: 200 when the database answers, 503 otherwise. */
import { createServer, type Server } from 'node:http';
import { sql, type Kysely } from 'kysely';
import type { Database } from '../db/schema.ts';

export async function startHealthServer(port: number, db: Kysely<Database>): Promise<Server> {
  const server = createServer((req, res) => {
    if (req.method !== 'GET' || req.url !== '/healthz') {
      res.writeHead(404).end();
      return;
    }
    sql`select 1`
      .execute(db)
      .then(() => res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}'))
      .catch(() => res.writeHead(503, { 'content-type': 'application/json' }).end('{"status":"database unavailable"}'));
  });
  server.requestTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, resolve);
  });
  return server;
}

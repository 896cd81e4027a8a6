import pg from 'pg';
import type { Logger } from 'pino';

/**
 * The persistence pool. A PostgreSQL connection can die at any moment (server stopping, backend
 * terminated): between two queries of a checked-out client, or in the very packet that hands a new
 * client over. pg reports that as an 'error' event on the client, and pg-pool listens only while
 * the client is idle in the pool; unheard, the event ends the process. Every client therefore
 * gets a listener for its whole life. The query that needed the connection fails on its own and
 * is retried, and pg-pool drops a client that is no longer queryable when it comes back.
 */
export function createDatabasePool({ url, size, logger }: { url: string; size: number; logger: Logger }): pg.Pool {
  const pool = new pg.Pool({ connectionString: url, max: size });
  pool.on('connect', (client) => {
    client.on('error', (error) => logger.warn({ err: error }, 'PostgreSQL connection lost; the pool replaces it'));
  });
  // Idle clients' errors reach the listener above too; pg-pool's own report adds nothing.
  pool.on('error', () => {});
  return pool;
}

import type { EntityManager } from '@mikro-orm/postgresql';

/** A statement prepared once per connection under `name`, its values sent apart ($1…$n). */
export interface PreparedStatement {
  name: string;
  text: string;
  values: unknown[];
}

interface PgConnection {
  query(query: PreparedStatement): Promise<{ rows: Record<string, unknown>[]; rowCount: number | null }>;
}
interface PoolClient {
  acquireConnection(): Promise<PgConnection>;
  releaseConnection(connection: PgConnection): Promise<void>;
}
interface TransactionLike {
  query?: unknown;
}

/**
 * Runs `statement` on a connection of the ORM's own pool as a named prepared statement, outside
 * any transaction (PostgreSQL runs it as one of its own). For the few hot statements where the
 * ORM's query path (knex, the values written into the text, so a parse and plan per call) costs
 * more than the statement: PostgreSQL plans a named statement once per connection.
 * The EntityManager must not be inside a transaction: its statement would not be part of it.
 */
export async function preparedQuery(
  em: EntityManager,
  statement: PreparedStatement,
): Promise<{ rows: Record<string, unknown>[]; rowCount: number }> {
  if ((em.getTransactionContext() as TransactionLike | undefined) !== undefined) {
    throw new Error(`${statement.name}: a prepared statement runs outside transactions only`);
  }
  const pool = em.getConnection().getKnex().client as unknown as PoolClient;
  const connection = await pool.acquireConnection();
  try {
    const result = await connection.query(statement);
    return { rows: result.rows, rowCount: result.rowCount ?? 0 };
  } finally {
    await pool.releaseConnection(connection);
  }
}

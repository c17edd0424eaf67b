import { UniqueConstraintViolationException } from '@mikro-orm/postgresql';

/** A unique index refused the row: through MikroORM's exception, or raw from `pg` in `execute`. */
export function isUniqueViolation(error: unknown): boolean {
  return error instanceof UniqueConstraintViolationException || (error as { code?: string }).code === '23505';
}

/** A balance row would have gone below zero: the `account_balance_non_negative` CHECK refused it. */
export function isNonNegativeViolation(error: unknown): boolean {
  const e = error as { code?: string; constraint?: string; message?: string };
  return (
    e.code === '23514' && /account_balance_non_negative/.test(`${e.constraint ?? ''} ${e.message ?? ''}`)
  );
}

/**
 * An entity's properties as a query returns them: every one present, `null` where the column is
 * nullable. Row and view types derive from the entity with this (narrowed with `Pick` or `Omit`),
 * so that a table is described once, by its entity class.
 */
export type RowOf<T> = { -readonly [K in Exclude<keyof T, symbol>]-?: Exclude<T[K], undefined> };

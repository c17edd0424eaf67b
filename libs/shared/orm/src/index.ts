export * from './orm.config';
export * from './migrate.util';
export * from './prepared-query.util';
export * from './group-commit.util';
export * from './entity-row.util';
export * from './request-context.util';

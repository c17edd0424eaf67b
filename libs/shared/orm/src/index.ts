export * from './orm.config';
export * from './migrate.util';
export * from './prepared-query.util';

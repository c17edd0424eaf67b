export * from './orm.config';
export * from './migrate.util';

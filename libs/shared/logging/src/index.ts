export * from './logging.util';

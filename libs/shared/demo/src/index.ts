export * from './demo-region';

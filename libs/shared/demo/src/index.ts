export * from './demo-region';
export * from './demo-register';
export * from './demo-sales';

export * from './demo-region';
export * from './demo-register';

export { Periodic } from './periodic';

export { Periodic, PeriodicJob } from './periodic';

import './instrument'; // first: see instrument.ts
import 'reflect-metadata';
import { bootOrExit } from '@yugong/shared/config';
import { ordersConfig } from './config/orders.config';
import { startOrders } from './orders.bootstrap';

void bootOrExit(async () => {
  const running = await startOrders(ordersConfig());
  if (!running) {
    return; // MIGRATE_ONLY: done
  }
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      void running.close().finally(() => process.exit(0));
    });
  }
});

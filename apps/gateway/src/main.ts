import './instrument'; // first: see instrument.ts
import 'reflect-metadata';
import { bootOrExit } from '@yugong/shared/config';
import { gatewayConfig } from './config/gateway.config';
import { startGateway } from './gateway.bootstrap';

void bootOrExit(async () => {
  const running = await startGateway(gatewayConfig());
  if (!running) {
    return; // MIGRATE_ONLY: done
  }
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      void running.close().finally(() => process.exit(0));
    });
  }
});

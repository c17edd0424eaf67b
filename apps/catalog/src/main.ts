import './instrument'; // first: see instrument.ts
import 'reflect-metadata';
import { bootOrExit } from '@yugong/shared/config';
import { startCatalog } from './catalog.bootstrap';
import { catalogConfig } from './config/catalog.config';

void bootOrExit(async () => {
  const running = await startCatalog(catalogConfig());
  if (!running) {
    return; // MIGRATE_ONLY: done
  }
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      void running.close().finally(() => process.exit(0));
    });
  }
});

import './instrument'; // first: see instrument.ts
import 'reflect-metadata';
import { bootOrExit } from '@yugong/shared/config';
import { ledgerConfig } from './config/ledger.config';
import { startLedger } from './ledger.bootstrap';

void bootOrExit(async () => {
  const running = await startLedger(ledgerConfig());
  if (!running) {
    return; // MIGRATE_ONLY: done
  }
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      void running.close().finally(() => process.exit(0));
    });
  }
});

import './instrument'; // first: see instrument.ts
import 'reflect-metadata';
import { bootOrExit } from '@yugong/shared/config';
import { startBeneficiaries } from './beneficiaries.bootstrap';
import { beneficiariesConfig } from './config/beneficiaries.config';

void bootOrExit(async () => {
  const running = await startBeneficiaries(beneficiariesConfig());
  if (!running) {
    return; // MIGRATE_ONLY: done
  }
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      void running.close().finally(() => process.exit(0));
    });
  }
});

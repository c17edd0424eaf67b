import { ledger } from '@yugong/contracts';
import { ServiceClient } from '@yugong/shared/grpc';

/** The ledger as the gateway calls it: typed, a deadline on every call, bounded retries on reads. */
export class LedgerClient extends ServiceClient<ledger.LedgerServiceClient> {}

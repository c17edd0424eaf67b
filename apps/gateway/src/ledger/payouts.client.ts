import { ledger } from '@yugong/contracts';
import { ServiceClient } from '@yugong/shared/grpc';

/** The ledger's PayoutsService as the gateway calls it: typed, a deadline on every call. */
export class PayoutsClient extends ServiceClient<ledger.PayoutsServiceClient> {}

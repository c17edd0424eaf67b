import { ledger } from '@yugong/contracts';
import { ServiceClient } from '@yugong/shared/grpc';

/** The ledger's ReliefOfficeService as the gateway calls it: typed, a deadline on every call. */
export class ReliefOfficeClient extends ServiceClient<ledger.ReliefOfficeServiceClient> {}

import { licensing } from '@yugong/contracts';
import { ServiceClient } from '@yugong/shared/grpc';

/** Licensing as the gateway calls it: typed, a deadline on every call, bounded retries on reads. */
export class LicensingClient extends ServiceClient<licensing.LicensingServiceClient> {}

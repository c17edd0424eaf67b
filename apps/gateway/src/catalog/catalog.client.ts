import { catalog } from '@yugong/contracts';
import { ServiceClient } from '@yugong/shared/grpc';

/** The catalog service as the gateway calls it: typed, with deadlines and bounded retries. */
export class CatalogClient extends ServiceClient<catalog.CatalogServiceClient> {}

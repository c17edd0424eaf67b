import { ledger } from '@yugong/contracts';
import { ServiceClient, toTimestamp } from '@yugong/shared/grpc';

/** The ledger as licensing calls it: as a service, no user. Each call is idempotent by its ids. */
export class LedgerClient extends ServiceClient<ledger.LedgerServiceClient> {
  /** Posts a declaration's commitment as the producer's receivable (once per declaration). */
  async postDeclared(d: {
    declarationId: string;
    producerId: string;
    licenceId: string;
    licenceNumber: string;
    quarter: string;
    amountFen: number;
    declaredAt: Date;
  }): Promise<string> {
    const res = await this.call(
      'postDeclaredCommitment',
      { ...d, declaredAt: toTimestamp(d.declaredAt) },
      { idempotent: true },
    );
    return res.transactionId;
  }

  /** Posts a payment of a declaration received (once per payment). */
  async settleDeclared(p: {
    paymentId: string;
    declarationId: string;
    producerId: string;
    amountFen: number;
    receivedAt: Date;
    reference: string;
  }): Promise<string> {
    const res = await this.call(
      'settleDeclaredCommitment',
      { ...p, receivedAt: toTimestamp(p.receivedAt) },
      { idempotent: true },
    );
    return res.transactionId;
  }
}

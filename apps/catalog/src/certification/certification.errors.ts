import { AlreadyExists, FailedPrecondition, NotFound } from '@yugong/shared/errors';

export class CertificateNotFound extends NotFound {
  constructor(id: string) {
    super('certificate', id);
  }
}

export class AlreadyCertified extends AlreadyExists {
  constructor(productId: string) {
    super('certificate', `product ${productId} already holds a valid certificate; revoke it first`, [
      { field: 'productId', reason: 'already holds a valid certificate' },
    ]);
  }
}

export class ProducerNotVerified extends FailedPrecondition {
  constructor(producerId: string) {
    super('PRODUCER_NOT_VERIFIED', `producer ${producerId} is not verified`, [
      { field: 'productId', reason: "the product's producer must be verified first" },
    ]);
  }
}

export class CertificateNotValid extends FailedPrecondition {
  constructor(status: string) {
    super('CERTIFICATE_NOT_VALID', `the certificate is ${status}`, [
      { field: 'id', reason: `is ${status}, not valid` },
    ]);
  }
}

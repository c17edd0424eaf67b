import * as grpc from '@grpc/grpc-js';
import { catalog } from '@yugong/contracts';
import { errorFieldNames, expectRejection } from '@yugong/shared/testing';
import {
  ADMIN,
  AUDITOR,
  CONSUMER,
  OFFICER,
  staffOf,
  startTestCatalog,
  type BootedCatalog,
  type TestCatalog,
} from './support/harness';

const { ProducerStatus } = catalog;

describe('producer review', () => {
  let running: TestCatalog;

  const call: BootedCatalog['client']['call'] = (method, request, caller, options) =>
    running.client.call(method, request, caller, { deadlineMs: 20_000, from: 'gateway', ...options });

  beforeAll(async () => {
    running = await startTestCatalog('catalog_review');
  });

  afterAll(async () => {
    await running?.close();
  });

  it('takes an application as pending, shows it to its applicant, and keeps every move with its reason', async () => {
    const applicant = staffOf(41);
    const { producer } = await call(
      'createProducer',
      {
        kind: catalog.ProducerKind.PRODUCER_KIND_FAMILY_FARM,
        legalName: '济源市申请家庭农场',
        creditCode: '91110000600037341L',
        town: '邵原镇',
        village: '',
        householdShareBps: 500,
        documents: ['doc:licence-2026-0001', 'https://files.example.org/agreement.pdf'],
      },
      applicant,
    );
    expect(producer.status).toBe('PRODUCER_STATUS_PENDING');
    const own = await call('getProducer', { id: producer.id }, applicant);
    expect(own.producer.documents).toEqual([
      'doc:licence-2026-0001',
      'https://files.example.org/agreement.pdf',
    ]);
    expect(own.producer.appliedBy).toBe(applicant.userId);
    const mine = await call('listProducers', { mine: true }, applicant);
    expect(mine.producers.map((p) => p.id)).toEqual([producer.id]);
    await expectRejection(call('getProducer', { id: producer.id }, CONSUMER), grpc.status.NOT_FOUND);
    await expectRejection(call('getProducer', { id: producer.id }, staffOf(42)), grpc.status.NOT_FOUND);

    // The applicant cannot review its own application, nor can any producer staff.
    await expectRejection(
      call(
        'setProducerStatus',
        { id: producer.id, status: ProducerStatus.PRODUCER_STATUS_VERIFIED },
        applicant,
      ),
      grpc.status.PERMISSION_DENIED,
    );
    const queue = await call('getReviewQueue', { limit: 0 }, AUDITOR);
    expect(queue.pendingProducers.map((p) => p.id)).toContain(producer.id);

    await call(
      'setProducerStatus',
      { id: producer.id, status: ProducerStatus.PRODUCER_STATUS_VERIFIED },
      OFFICER,
    );
    const noReason = await expectRejection(
      call(
        'setProducerStatus',
        { id: producer.id, status: ProducerStatus.PRODUCER_STATUS_SUSPENDED, reason: ' ' },
        OFFICER,
      ),
      grpc.status.INVALID_ARGUMENT,
    );
    expect(errorFieldNames(noReason)).toEqual(['reason']);
    await call(
      'setProducerStatus',
      {
        id: producer.id,
        status: ProducerStatus.PRODUCER_STATUS_SUSPENDED,
        reason: 'sold honey of another origin',
      },
      OFFICER,
    );
    await call(
      'setProducerStatus',
      { id: producer.id, status: ProducerStatus.PRODUCER_STATUS_VERIFIED, reason: 'origin checked on site' },
      ADMIN,
    );

    const { producer: reviewed } = await call('getProducer', { id: producer.id }, OFFICER);
    expect(reviewed.status).toBe('PRODUCER_STATUS_VERIFIED');
    expect(
      reviewed.statusHistory.map((s) => [s.fromStatus ?? null, s.toStatus, s.reason, s.changedBy]),
    ).toEqual([
      [null, 'PRODUCER_STATUS_PENDING', 'application', applicant.userId],
      ['PRODUCER_STATUS_PENDING', 'PRODUCER_STATUS_VERIFIED', '', OFFICER.userId],
      [
        'PRODUCER_STATUS_VERIFIED',
        'PRODUCER_STATUS_SUSPENDED',
        'sold honey of another origin',
        OFFICER.userId,
      ],
      ['PRODUCER_STATUS_SUSPENDED', 'PRODUCER_STATUS_VERIFIED', 'origin checked on site', ADMIN.userId],
    ]);
    const { rows } = await running.sql.query(
      'select count(*)::int as n from producer_status_change where producer_id = $1',
      [producer.id],
    );
    expect(rows[0].n).toBe(4);
  });
});

import * as grpc from '@grpc/grpc-js';
import { MikroORM } from '@mikro-orm/postgresql';
import { demoRegister } from '@yugong/shared/demo';
import { errorDetails, expectRejection, freePort } from '@yugong/shared/testing';
import { Client } from 'pg';
import type { RunningBeneficiaries } from '../src/beneficiaries.bootstrap';
import { MonitoringRepository, type FlaggedHousehold } from '../src/monitoring/monitoring.repository';
import {
  AUDITOR,
  CONSUMER,
  OFFICER,
  staffOf,
  startTestBeneficiaries,
  type RegisterClient,
  type TestBeneficiaries,
} from './support/harness';

const AS_OF = new Date('2021-01-01T00:00:00+08:00');

describe('monitoring cases in the register', () => {
  let service: TestBeneficiaries;
  let running: RunningBeneficiaries;
  let client: RegisterClient;
  let sql: Client;
  let repository: MonitoringRepository;
  let orm: MikroORM;
  let flagged: FlaggedHousehold[];

  beforeAll(async () => {
    // No ledger answers here: a refresh must fail whole, writing nothing.
    const ledgerPort = await freePort();
    service = await startTestBeneficiaries('monitoring', {
      SEED_DEMO: 'true',
      LEDGER_GRPC_URL: `127.0.0.1:${ledgerPort}`,
      GRPC_DEADLINE_MS: '500',
    });
    ({ running, client, sql } = service);
    repository = running.app.get(MonitoringRepository);
    orm = running.app.get(MikroORM);
    flagged = demoRegister()
      .households.slice(0, 5)
      .map((h, i) => ({
        householdId: h.id,
        reasons: ['income_drop'],
        recentFen: 1_000 * (i + 1),
        priorFen: 4_000 * (i + 1),
        members: h.members,
        perMemberFen: 0,
        dropBps: 7_500,
      }));
  }, 60_000);

  afterAll(() => service?.close());

  const count = async (query: string, params: unknown[] = []) =>
    Number((await sql.query(query, params)).rows[0].n);

  it('opens one case per household when refreshes race (the partial unique index decides)', async () => {
    const results = await Promise.all(
      Array.from({ length: 6 }, () =>
        repository.upsertFlagged(orm.em.fork(), flagged, AS_OF, OFFICER.userId),
      ),
    );
    expect(results.reduce((s, r) => s + r.opened, 0)).toBe(5);
    // The same figures again change nothing: no case is refreshed, no history written.
    expect(results.reduce((s, r) => s + r.refreshed, 0)).toBe(0);
    expect(await count(`select count(*) as n from monitoring_case where status <> 'closed'`)).toBe(5);
    expect(await count(`select count(*) as n from monitoring_case_event where kind = 'opened'`)).toBe(5);

    // New figures refresh each active case once, recorded.
    const changed = flagged.map((f) => ({ ...f, recentFen: f.recentFen - 1 }));
    const again = await Promise.all(
      Array.from({ length: 3 }, () => repository.upsertFlagged(orm.em.fork(), changed, AS_OF, '')),
    );
    expect(again.reduce((s, r) => s + r.opened, 0)).toBe(0);
    expect(again.reduce((s, r) => s + r.refreshed, 0)).toBe(5);
    expect(await count(`select count(*) as n from monitoring_case_event where kind = 'refreshed'`)).toBe(5);
    expect(await count(`select count(*) as n from monitoring_case where status <> 'closed'`)).toBe(5);
  });

  it('lets one of two officers closing a case at once win, and keeps the note encrypted', async () => {
    const caseId = String(
      (await sql.query(`select id from monitoring_case where household_id = $1`, [flagged[0]!.householdId]))
        .rows[0].id,
    );
    const note = '户主外出务工，收入转为工资性收入';
    const visited = await client.call(
      'updateMonitoringCase',
      { id: caseId, status: 'visited', note },
      OFFICER,
    );
    expect(visited.case!.status).toBe('visited');
    const history = visited.case!.history.map((e) => [e.kind, e.note]);
    expect(history[0]).toEqual(['opened', '']);
    expect(history.slice(1, -1).every(([kind]) => kind === 'refreshed')).toBe(true);
    expect(history[history.length - 1]).toEqual(['visited', note]);
    const stored = (await sql.query(`select note_enc from monitoring_case_event where kind = 'visited'`))
      .rows[0];
    expect(String(stored.note_enc)).not.toContain('务工');

    const closes = await Promise.allSettled(
      Array.from({ length: 5 }, () =>
        client.call('updateMonitoringCase', { id: caseId, status: 'closed', note: '' }, OFFICER),
      ),
    );
    expect(closes.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    for (const r of closes.filter((x) => x.status === 'rejected')) {
      const error = (r as PromiseRejectedResult).reason as grpc.ServiceError;
      expect(error.code).toBe(grpc.status.FAILED_PRECONDITION);
      expect(errorDetails(error).code).toBe('CASE_MOVE_REFUSED');
    }
    expect(await count(`select count(*) as n from monitoring_case_event where kind = 'closed'`)).toBe(1);
    expect(
      await count(
        `select count(*) as n from monitoring_case where status = 'closed' and closed_at is not null`,
      ),
    ).toBe(1);

    // Auditors read the case, not the note; names are masked for everyone.
    const { cases } = await client.call('listMonitoringCases', { status: 'closed' }, AUDITOR);
    expect(cases).toHaveLength(1);
    expect(cases[0]!.history.find((e) => e.kind === 'visited')!.note).toBe('***');
    expect(cases[0]!.headName).toContain('*');
  });

  it('refuses a visit without a note, naming it, and writes nothing', async () => {
    const caseId = String(
      (await sql.query(`select id from monitoring_case where household_id = $1`, [flagged[1]!.householdId]))
        .rows[0].id,
    );
    const before = await count(`select count(*) as n from monitoring_case_event`);
    const error = await expectRejection(
      client.call('updateMonitoringCase', { id: caseId, status: 'visited', note: '  ' }, OFFICER),
      grpc.status.INVALID_ARGUMENT,
    );
    expect(errorDetails(error).fields).toEqual([{ field: 'note', reason: 'is required for a visit' }]);
    expect(await count(`select count(*) as n from monitoring_case_event`)).toBe(before);
  });

  it('stops a buyer, producer staff or an auditor from opening or moving cases', async () => {
    for (const caller of [CONSUMER, staffOf(flagged[0]!.householdId), AUDITOR]) {
      await expectRejection(client.call('refreshMonitoringCases', {}, caller), grpc.status.PERMISSION_DENIED);
    }
    for (const caller of [CONSUMER, staffOf(flagged[0]!.householdId)]) {
      await expectRejection(client.call('listMonitoringCases', {}, caller), grpc.status.PERMISSION_DENIED);
    }
    await expectRejection(client.call('refreshMonitoringCases', {}, null), grpc.status.UNAUTHENTICATED);
  });

  it('answers UNAVAILABLE naming the ledger when it cannot be reached, writing nothing', async () => {
    const before = await count(`select count(*) as n from monitoring_case_event`);
    const error = await expectRejection(
      client.call('refreshMonitoringCases', {}, OFFICER),
      grpc.status.UNAVAILABLE,
    );
    expect(errorDetails(error).code).toBe('LEDGER_UNAVAILABLE');
    expect(await count(`select count(*) as n from monitoring_case_event`)).toBe(before);
  });
});

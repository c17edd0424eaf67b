import { Alert, Button, Card, Descriptions, Form, Input, Skeleton, Space, Table } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useSearchParams } from 'react-router';
import { api, ApiError, ok } from '../api/client';
import type { LotTrace } from '../api/views';
import { yuan } from '../format.util';
import { useLoad } from '../ui/use-load';
import { ledgerNames, type LedgerNames } from './ledger-names';
import './reports.i18n';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A household id as the dashboard shows it: enough to tell two apart, not to look one up. */
export const maskedId = (id: string | null) => (id ? `${id.slice(0, 4)}****${id.slice(-4)}` : '****');

interface HouseholdRow {
  key: string;
  householdId: string | null;
  villageId: string;
  fen: number;
}

interface VillageRow {
  villageId: string;
  townId: string;
  households: number;
  householdFen: number;
  collectiveFen: number;
}

/** The households and villages a lot's sales reached, totalled over every line that drew on it. */
export function lotTotals(trace: LotTrace) {
  const households = new Map<string, HouseholdRow>();
  const villages = new Map<string, VillageRow>();
  for (const line of trace.lines) {
    for (const h of line.households.filter((h) => !h.lotId || h.lotId === trace.lotId)) {
      const key = h.householdId ?? `${h.villageId}:${households.size}`;
      const known = households.get(key);
      households.set(key, {
        key,
        householdId: h.householdId,
        villageId: h.villageId,
        fen: (known?.fen ?? 0) + h.amount.fen,
      });
    }
    for (const v of line.villages) {
      const known = villages.get(v.villageId);
      villages.set(v.villageId, {
        villageId: v.villageId,
        townId: v.townId,
        households: Math.max(known?.households ?? 0, v.households),
        householdFen: (known?.householdFen ?? 0) + v.householdAmount.fen,
        collectiveFen: (known?.collectiveFen ?? 0) + v.collectiveAmount.fen,
      });
    }
  }
  return { households: [...households.values()], villages: [...villages.values()] };
}

/** A lot's trace from the ledger: lot id → households reached, fen, villages (ids masked). */
export default function LotTracePage() {
  const { t, i18n } = useTranslation();
  const [search, setSearch] = useSearchParams();
  const lotId = search.get('lot') ?? '';
  const [typed, setTyped] = useState(lotId);
  const { data, error } = useLoad(
    async (): Promise<[LotTrace, LedgerNames] | undefined> =>
      UUID.test(lotId)
        ? Promise.all([
            ok<LotTrace>(api.GET('/api/v1/lots/{id}/trace', { params: { path: { id: lotId } } })),
            ledgerNames(i18n.language === 'en'),
          ])
        : undefined,
    [lotId, i18n.language],
  );
  const [trace, names] = data ?? [];
  const totals = trace ? lotTotals(trace) : undefined;
  return (
    <Space direction="vertical" size="middle" style={{ width: '100%' }}>
      <p>{t('reports.lotLead')}</p>
      <Form layout="inline" onSubmitCapture={(event) => event.preventDefault()}>
        <Form.Item
          label={t('reports.lotId')}
          htmlFor="lot-id"
          validateStatus={typed && !UUID.test(typed.trim()) ? 'error' : undefined}
        >
          <Space.Compact>
            <Input
              id="lot-id"
              value={typed}
              onChange={(e) => setTyped(e.target.value)}
              style={{ width: 340 }}
            />
            <Button type="primary" onClick={() => setSearch({ lot: typed.trim() })}>
              {t('reports.show')}
            </Button>
          </Space.Compact>
        </Form.Item>
      </Form>
      {error ? (
        <Alert
          type="error"
          showIcon
          message={
            error instanceof ApiError && error.status === 404 ? t('reports.notFound') : t('common.error')
          }
          description={error.message}
        />
      ) : null}
      {UUID.test(lotId) && !data && !error ? <Skeleton active /> : null}
      {trace && totals && names ? (
        <>
          <Card>
            <Descriptions column={3} size="small">
              <Descriptions.Item label={t('reports.lotHouseholds')}>
                <span data-testid="lot-households">{trace.households}</span>
              </Descriptions.Item>
              <Descriptions.Item label={t('reports.householdAmount')}>
                <span data-testid="lot-household-fen" data-fen={trace.householdAmount.fen}>
                  {yuan(trace.householdAmount.fen)}
                </span>
              </Descriptions.Item>
              <Descriptions.Item label={t('reports.lotSales')}>{trace.lines.length}</Descriptions.Item>
            </Descriptions>
          </Card>
          <Table<VillageRow>
            data-testid="lot-villages"
            title={() => <h2 style={{ margin: 0, fontSize: 16 }}>{t('reports.lotVillages')}</h2>}
            rowKey="villageId"
            size="small"
            pagination={false}
            dataSource={totals.villages}
            columns={[
              { title: t('reports.village'), render: (_, v) => names.village(v.villageId) },
              { title: t('reports.key.town'), render: (_, v) => names.town(v.townId) },
              { title: t('reports.households'), dataIndex: 'households' },
              { title: t('reports.householdAmount'), render: (_, v) => yuan(v.householdFen) },
              { title: t('reports.collectiveAmount'), render: (_, v) => yuan(v.collectiveFen) },
            ]}
          />
          <Table<HouseholdRow>
            data-testid="lot-household-rows"
            title={() => <h2 style={{ margin: 0, fontSize: 16 }}>{t('reports.lotHouseholds')}</h2>}
            rowKey="key"
            size="small"
            pagination={{ pageSize: 20, hideOnSinglePage: true }}
            dataSource={totals.households}
            columns={[
              { title: t('reports.household'), render: (_, h) => maskedId(h.householdId) },
              { title: t('reports.village'), render: (_, h) => names.village(h.villageId) },
              { title: t('reports.amount'), render: (_, h) => yuan(h.fen) },
            ]}
          />
        </>
      ) : null}
    </Space>
  );
}

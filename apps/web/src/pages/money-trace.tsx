import { Alert, Descriptions, Skeleton, Table, Typography } from 'antd';
import { lazy, Suspense, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, ApiError, ok } from '../api/client';
import type { OrderTrace, Page, TracedVillage, Village } from '../api/views';
import { yuan } from '../format.util';

const Bars = lazy(() => import('../ui/bar-chart'));

/** How often, and how many times, to ask again while the ledger has not posted the payment yet. */
const RETRY_MS = 2_000;
const RETRIES = 30;

/** Where the money of a paid order went, totalled over its lines. */
export function moneyTotals(trace: OrderTrace) {
  const sum = (pick: (l: OrderTrace['lines'][number]) => number) =>
    trace.lines.reduce((s, l) => s + pick(l), 0);
  const villages = new Map<string, TracedVillage>();
  for (const line of trace.lines) {
    for (const v of line.villages) {
      const known = villages.get(v.villageId);
      villages.set(
        v.villageId,
        known
          ? {
              ...known,
              households: known.households + v.households,
              householdAmount: {
                ...known.householdAmount,
                fen: known.householdAmount.fen + v.householdAmount.fen,
              },
              collectiveAmount: {
                ...known.collectiveAmount,
                fen: known.collectiveAmount.fen + v.collectiveAmount.fen,
              },
            }
          : v,
      );
    }
  }
  return {
    villages: [...villages.values()],
    households: sum((l) => l.villages.reduce((s, v) => s + v.households, 0)),
    householdFen: sum((l) => l.householdAmount.fen),
    unallocatedFen: sum((l) => l.unallocatedAmount.fen),
    collectiveFen: sum((l) => l.villages.reduce((s, v) => s + v.collectiveAmount.fen, 0)),
    fundFen: trace.donation.fen + sum((l) => l.licenceCommitment.fen),
    feeFen: sum((l) => l.processorFee.fen),
    producerFen: sum((l) => l.producerAmount.fen),
  };
}

/**
 * "Where my money went": the ledger's trace of a paid order, as the buyer sees it (villages,
 * household counts and fen, never a household). Asks again for a while until the ledger has
 * posted the payment.
 */
export default function MoneyTrace({ orderId }: { orderId: string }) {
  const { t, i18n } = useTranslation();
  const [trace, setTrace] = useState<OrderTrace | undefined>();
  const [names, setNames] = useState<Map<string, Village>>(new Map());
  const [state, setState] = useState<'loading' | 'pending' | 'error'>('loading');
  const [error, setError] = useState<string>();

  useEffect(() => {
    let current = true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const load = async (attempt: number) => {
      try {
        const found = await ok<OrderTrace>(
          api.GET('/api/v1/orders/{id}/trace', { params: { path: { id: orderId } } }),
        );
        const towns = [...new Set(found.lines.flatMap((l) => l.villages.map((v) => v.townId)))];
        const pages = await Promise.all(
          towns.map((townId) =>
            ok<Page<Village>>(api.GET('/api/v1/villages', { params: { query: { townId, pageSize: 100 } } })),
          ),
        );
        if (current) {
          setNames(new Map(pages.flatMap((p) => p.items).map((v) => [v.id, v])));
          setTrace(found);
        }
      } catch (e) {
        if (!current) {
          return;
        }
        if (e instanceof ApiError && e.status === 404 && attempt < RETRIES) {
          setState('pending');
          timer = setTimeout(() => void load(attempt + 1), RETRY_MS);
        } else {
          setState('error');
          setError((e as Error).message);
        }
      }
    };
    void load(0);
    return () => {
      current = false;
      clearTimeout(timer);
    };
  }, [orderId]);

  if (!trace) {
    if (state === 'error') {
      return <Alert type="error" showIcon message={t('common.error')} description={error} />;
    }
    return state === 'pending' ? (
      <Typography.Paragraph data-testid="money-pending">{t('money.pending')}</Typography.Paragraph>
    ) : (
      <Skeleton active />
    );
  }
  const totals = moneyTotals(trace);
  const villageName = (id: string) => {
    const v = names.get(id);
    return v ? (i18n.language === 'en' ? v.nameEn || v.nameZh : v.nameZh) : id.slice(0, 8);
  };
  const townName = (id: string) => [...names.values()].find((v) => v.townId === id)?.townNameZh ?? '';
  const parts: [key: string, fen: number][] = [
    ['households', totals.householdFen],
    ...(totals.unallocatedFen > 0 ? ([['unallocated', totals.unallocatedFen]] as [string, number][]) : []),
    ['villages', totals.collectiveFen],
    ['fund', totals.fundFen],
    ['fees', totals.feeFen],
    ['producer', totals.producerFen],
  ];
  return (
    <div data-testid="money">
      <Typography.Paragraph>
        {t('money.lead', { villages: totals.villages.length, households: totals.households })}
      </Typography.Paragraph>
      <Descriptions column={1} size="small">
        {parts.map(([key, fen]) => (
          <Descriptions.Item key={key} label={t(`money.${key}`)}>
            <span data-testid={`money-${key}`}>{yuan(fen)}</span>
          </Descriptions.Item>
        ))}
        <Descriptions.Item label={t('money.netPaid')}>
          <strong data-testid="money-net-paid">{yuan(trace.netPaid.fen)}</strong>
        </Descriptions.Item>
      </Descriptions>
      <Suspense fallback={<Skeleton active />}>
        <Bars
          label={t('order.whereMoneyWent')}
          categories={parts.map(([key]) => t(`money.${key}`))}
          series={[{ name: t('money.yuan'), values: parts.map(([, fen]) => fen / 100), color: '#a8071a' }]}
        />
      </Suspense>
      <div data-testid="money-villages">
        <Table<TracedVillage>
          rowKey="villageId"
          size="small"
          pagination={false}
          dataSource={totals.villages}
          columns={[
            { title: t('money.village'), render: (_, v) => villageName(v.villageId) },
            { title: t('money.town'), render: (_, v) => townName(v.townId) },
            { title: t('money.householdCount'), dataIndex: 'households' },
            { title: t('money.households'), render: (_, v) => yuan(v.householdAmount.fen) },
            { title: t('money.villages'), render: (_, v) => yuan(v.collectiveAmount.fen) },
          ]}
        />
      </div>
    </div>
  );
}

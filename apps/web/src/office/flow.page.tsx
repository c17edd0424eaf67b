import { Alert, Button, Card, Form, Input, Radio, Skeleton, Space, Table, Typography } from 'antd';
import { lazy, Suspense, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useSearchParams } from 'react-router';
import { api, ok } from '../api/client';
import type { OrderTrace, ReliefIncome, TrialBalance } from '../api/views';
import { chinaDayStart, yuan } from '../format.util';
import { useLoad } from '../ui/use-load';
import { flowsCsv, ledgerFlows, orderFlows, periodFlows, type Flow, type NodeWords } from './flow.util';
import { saveCsv } from './csv-download';
import { ledgerNames } from './ledger-names';
import './reports.i18n';

const Sankey = lazy(() => import('../ui/sankey-chart'));

type Source = 'ledger' | 'period' | 'order';
const SOURCES: Source[] = ['ledger', 'period', 'order'];
const NODES: (keyof NodeWords)[] = [
  'payments',
  'households',
  'unallocated',
  'villages',
  'fund',
  'fees',
  'producers',
  'suspense',
  'refundsDue',
];
/** The flows drawn, and the lots an order's lines drew on (each to its own trace). */
interface Shown {
  flows: Flow[];
  lots: [lotId: string, lotCode: string][];
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Where the money went, as a Sankey diagram: the whole ledger to date (trial balance), a period's
 * relief income by producer, or one order's trace (`?order=<id>`).
 */
export default function FlowPage() {
  const { t, i18n } = useTranslation();
  const [search, setSearch] = useSearchParams();
  const orderId = search.get('order') ?? '';
  const [source, setSource] = useState<Source>(orderId ? 'order' : 'ledger');
  const [typed, setTyped] = useState(orderId);
  const [fromDate, setFromDate] = useState('');
  const [toDate, setToDate] = useState('');
  const from = chinaDayStart(fromDate);
  const to = chinaDayStart(toDate, 1);
  const words = Object.fromEntries(NODES.map((n) => [n, t(`reports.node.${n}`)])) as NodeWords;

  const { data, error } = useLoad(async (): Promise<Shown | undefined> => {
    const names = await ledgerNames(i18n.language === 'en');
    switch (source) {
      case 'ledger':
        return {
          flows: ledgerFlows(await ok<TrialBalance>(api.GET('/api/v1/ledger/trial-balance')), words),
          lots: [],
        };
      case 'period': {
        const query = { groupBy: 'producer' as const, from, to };
        const income = await ok<ReliefIncome>(api.GET('/api/v1/ledger/relief-income', { params: { query } }));
        return { flows: periodFlows(income, names.producer, words), lots: [] };
      }
      case 'order': {
        if (!UUID.test(orderId)) {
          return undefined;
        }
        const path = { id: orderId };
        const trace = await ok<OrderTrace>(api.GET('/api/v1/orders/{id}/trace', { params: { path } }));
        const lots = new Map(trace.lines.flatMap((l) => l.lots).map((lot) => [lot.lotId, lot.lotCode]));
        return { flows: orderFlows(trace, names.producer, words), lots: [...lots] };
      }
    }
  }, [source, orderId, from, to, i18n.language]);

  return (
    <Space direction="vertical" size="middle" style={{ width: '100%' }}>
      <Form layout="inline" onSubmitCapture={(event) => event.preventDefault()}>
        <Form.Item label={t('reports.flowSource')}>
          <Radio.Group
            aria-label={t('reports.flowSource')}
            optionType="button"
            value={source}
            onChange={(event) => setSource(event.target.value as Source)}
            options={SOURCES.map((s) => ({ value: s, label: t(`reports.source.${s}`) }))}
          />
        </Form.Item>
        {source === 'period' ? (
          <Form.Item label={t('reports.period')} htmlFor="flow-from">
            <Space>
              <Input
                id="flow-from"
                type="date"
                aria-label={t('reports.periodFrom')}
                value={fromDate}
                onChange={(event) => setFromDate(event.target.value)}
              />
              –
              <Input
                type="date"
                aria-label={t('reports.periodTo')}
                value={toDate}
                onChange={(event) => setToDate(event.target.value)}
              />
            </Space>
          </Form.Item>
        ) : null}
        {source === 'order' ? (
          <Form.Item
            label={t('reports.orderId')}
            htmlFor="flow-order"
            validateStatus={typed && !UUID.test(typed.trim()) ? 'error' : undefined}
          >
            <Space.Compact>
              <Input
                id="flow-order"
                value={typed}
                onChange={(event) => setTyped(event.target.value)}
                style={{ width: 340 }}
              />
              <Button type="primary" onClick={() => setSearch({ order: typed.trim() })}>
                {t('reports.show')}
              </Button>
            </Space.Compact>
          </Form.Item>
        ) : null}
      </Form>
      <Typography.Paragraph className="yg-muted">{t(`reports.sourceNote.${source}`)}</Typography.Paragraph>
      {error ? <Alert type="error" showIcon message={t('common.error')} description={error.message} /> : null}
      {!data && !error && !(source === 'order' && !UUID.test(orderId)) ? <Skeleton active /> : null}
      {data ? <Flows flows={data.flows} filename={flowFilename(source, orderId, fromDate, toDate)} /> : null}
      {data && data.lots.length > 0 ? (
        <nav aria-label={t('reports.nav.lots')} data-testid="order-lots">
          {t('reports.nav.lots')}:{' '}
          {data.lots.map(([lotId, lotCode]) => (
            <Link key={lotId} to={`/office/lots?lot=${lotId}`} style={{ marginRight: 12 }}>
              {lotCode}
            </Link>
          ))}
        </nav>
      ) : null}
    </Space>
  );
}

/** The CSV's name: the source, and the order or the period it shows. */
function flowFilename(source: Source, orderId: string, fromDate: string, toDate: string): string {
  if (source === 'order') {
    return `money-flow-order-${orderId}.csv`;
  }
  if (source === 'period') {
    return `money-flow-${fromDate || 'start'}-to-${toDate || 'now'}.csv`;
  }
  return 'money-flow-ledger.csv';
}

function Flows({ flows, filename }: { flows: Flow[]; filename: string }) {
  const { t } = useTranslation();
  if (flows.length === 0) {
    return <p className="yg-muted">{t('reports.empty')}</p>;
  }
  return (
    <>
      <Card
        title={<h2 style={{ margin: 0, fontSize: 16 }}>{t('reports.flowTitle')}</h2>}
        extra={<Button onClick={() => saveCsv(flowsCsv(flows), filename)}>{t('reports.downloadCsv')}</Button>}
      >
        <Suspense fallback={<Skeleton active />}>
          <Sankey flows={flows} label={t('reports.flowTitle')} />
        </Suspense>
      </Card>
      <Table<Flow>
        data-testid="flow-table"
        rowKey={(flow) => `${flow.from}→${flow.to}`}
        size="small"
        pagination={false}
        dataSource={flows}
        columns={[
          { title: t('reports.from'), dataIndex: 'from' },
          { title: t('reports.to'), dataIndex: 'to' },
          { title: t('reports.amount'), render: (_, flow) => yuan(flow.fen) },
        ]}
      />
    </>
  );
}

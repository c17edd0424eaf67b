import { Alert, Button, Card, Form, Input, Radio, Skeleton, Space, Table } from 'antd';
import { lazy, Suspense, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, ok } from '../api/client';
import type { ReliefIncome, ReliefIncomeGroupBy } from '../api/views';
import { chinaDayStart, yuan } from '../format.util';
import { useLoad } from '../ui/use-load';
import { filenameOf, saveCsv } from './csv-download';
import { keyName, ledgerNames } from './ledger-names';
import './reports.i18n';

const Bars = lazy(() => import('../ui/bar-chart'));

const GROUPINGS: ReliefIncomeGroupBy[] = ['town', 'village', 'household', 'producer', 'product', 'month'];

type Row = ReliefIncome['rows'][number];

/**
 * Relief income from the ledger (household benefits and village collective shares, net of
 * refunds) by town, village, household, producer, product or month, for a period: a chart, a
 * table with its total, and the API's own CSV.
 */
export default function ReportsPage() {
  const { t, i18n } = useTranslation();
  const [groupBy, setGroupBy] = useState<ReliefIncomeGroupBy>('town');
  const [fromDate, setFromDate] = useState('');
  const [toDate, setToDate] = useState('');
  const [downloading, setDownloading] = useState(false);
  const [downloadError, setDownloadError] = useState<string>();
  const query = {
    groupBy,
    from: chinaDayStart(fromDate),
    // The last day picked is included: the period ends when the next day starts.
    to: chinaDayStart(toDate, 1),
  };
  const { data, error } = useLoad(
    () =>
      Promise.all([
        ok<ReliefIncome>(api.GET('/api/v1/ledger/relief-income', { params: { query } })),
        ledgerNames(i18n.language === 'en'),
      ]),
    [groupBy, query.from, query.to, i18n.language],
  );

  const download = async () => {
    setDownloading(true);
    setDownloadError(undefined);
    try {
      const { data: csv, response } = await api.GET('/api/v1/ledger/relief-income', {
        params: { query: { ...query, format: 'csv' } },
        parseAs: 'text',
      });
      if (!response.ok || typeof csv !== 'string') {
        throw new Error(`${response.status} ${response.statusText}`);
      }
      saveCsv(csv, filenameOf(response, `relief-income-by-${groupBy}.csv`));
    } catch (e) {
      setDownloadError((e as Error).message);
    } finally {
      setDownloading(false);
    }
  };

  const [loaded, names] = data ?? [];
  // Largest first (the chart reads as a ranking); months in their order.
  const income = loaded && {
    ...loaded,
    rows:
      groupBy === 'month'
        ? loaded.rows
        : [...loaded.rows].sort(
            (a, b) =>
              b.householdAmount.fen +
              b.collectiveAmount.fen -
              (a.householdAmount.fen + a.collectiveAmount.fen),
          ),
  };
  const name = (row: Row) => (names ? keyName(names, groupBy, row.key) : row.key);
  const totalFen = income ? income.householdAmount.fen + income.collectiveAmount.fen : 0;
  return (
    <Space direction="vertical" size="middle" style={{ width: '100%' }}>
      <Form layout="inline" onSubmitCapture={(event) => event.preventDefault()}>
        <Form.Item label={t('reports.groupBy')}>
          <Radio.Group
            aria-label={t('reports.groupBy')}
            optionType="button"
            value={groupBy}
            onChange={(event) => setGroupBy(event.target.value as ReliefIncomeGroupBy)}
            options={GROUPINGS.map((g) => ({ value: g, label: t(`reports.group.${g}`) }))}
          />
        </Form.Item>
        <Form.Item label={t('reports.period')} htmlFor="income-from">
          <Space>
            <Input
              id="income-from"
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
        <Form.Item>
          <Button onClick={() => void download()} loading={downloading} disabled={!income}>
            {t('reports.downloadCsv')}
          </Button>
        </Form.Item>
      </Form>
      {downloadError ? <Alert type="error" showIcon message={downloadError} /> : null}
      {error ? <Alert type="error" showIcon message={t('common.error')} description={error.message} /> : null}
      {!income && !error ? <Skeleton active /> : null}
      {income ? (
        <>
          <Card title={<h2 style={{ margin: 0, fontSize: 16 }}>{t('reports.chartLabel')}</h2>}>
            {income.rows.length === 0 ? (
              <p className="yg-muted">{t('reports.empty')}</p>
            ) : (
              <Suspense fallback={<Skeleton active />}>
                <Bars
                  label={t('reports.chartLabel')}
                  categories={income.rows.map(name)}
                  series={[
                    {
                      name: t('reports.householdAmount'),
                      values: income.rows.map((r) => r.householdAmount.fen / 100),
                      color: '#a8071a',
                    },
                    {
                      name: t('reports.collectiveAmount'),
                      values: income.rows.map((r) => r.collectiveAmount.fen / 100),
                      color: '#ad6800',
                    },
                  ]}
                />
              </Suspense>
            )}
          </Card>
          <Table<Row>
            data-testid="income-table"
            rowKey="key"
            size="small"
            pagination={{ pageSize: 50, hideOnSinglePage: true }}
            dataSource={income.rows}
            columns={[
              { title: t(`reports.key.${groupBy}`), render: (_, row) => name(row) },
              { title: t('reports.households'), dataIndex: 'households' },
              { title: t('reports.householdAmount'), render: (_, row) => yuan(row.householdAmount.fen) },
              { title: t('reports.collectiveAmount'), render: (_, row) => yuan(row.collectiveAmount.fen) },
              {
                title: t('reports.totalAmount'),
                render: (_, row) => yuan(row.householdAmount.fen + row.collectiveAmount.fen),
              },
            ]}
            summary={() => (
              <Table.Summary.Row>
                <Table.Summary.Cell index={0} colSpan={2}>
                  {t('common.total')}
                </Table.Summary.Cell>
                <Table.Summary.Cell index={2}>
                  <span data-testid="income-household-total" data-fen={income.householdAmount.fen}>
                    {yuan(income.householdAmount.fen)}
                  </span>
                </Table.Summary.Cell>
                <Table.Summary.Cell index={3}>
                  <span data-testid="income-collective-total" data-fen={income.collectiveAmount.fen}>
                    {yuan(income.collectiveAmount.fen)}
                  </span>
                </Table.Summary.Cell>
                <Table.Summary.Cell index={4}>
                  <strong data-testid="income-total" data-fen={totalFen}>
                    {yuan(totalFen)}
                  </strong>
                </Table.Summary.Cell>
              </Table.Summary.Row>
            )}
          />
        </>
      ) : null}
    </Space>
  );
}

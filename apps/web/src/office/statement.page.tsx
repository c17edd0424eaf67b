import {
  Alert,
  Button,
  Card,
  Descriptions,
  Form,
  Input,
  Skeleton,
  Space,
  Statistic,
  Table,
  Typography,
} from 'antd';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router';
import { api, ok } from '../api/client';
import type { HouseholdStatement, StatementEntry } from '../api/views';
import { chinaDateTime, chinaDayStart, yuan } from '../format.util';
import { filenameOf, saveCsv } from './csv-download';
import { ledgerNames, type LedgerNames } from './ledger-names';
import './relief.i18n';

/**
 * A household's statement from the ledger: every fen credited or debited in a period of China's
 * calendar, where it came from, the opening, running and closing balance, and its CSV.
 */
export default function StatementPage() {
  const { t, i18n } = useTranslation();
  const { id = '' } = useParams();
  const [fromDate, setFromDate] = useState('');
  const [toDate, setToDate] = useState('');
  const [statement, setStatement] = useState<HouseholdStatement>();
  const [names, setNames] = useState<LedgerNames>();
  const [failure, setFailure] = useState<string>();
  const [loadingMore, setLoadingMore] = useState(false);
  const range = { from: chinaDayStart(fromDate), to: chinaDayStart(toDate, 1) };

  const fetchPage = (cursor?: string) =>
    ok<HouseholdStatement>(
      api.GET('/api/v1/households/{id}/statement', {
        params: { path: { id }, query: { ...range, cursor, limit: 100 } },
      }),
    );

  useEffect(() => {
    let current = true;
    setFailure(undefined);
    setStatement(undefined);
    fetchPage().then(
      (first) => current && setStatement(first),
      (error: Error) => current && setFailure(error.message),
    );
    void ledgerNames(i18n.language === 'en').then((loaded) => current && setNames(loaded));
    return () => {
      current = false;
    };
  }, [id, range.from, range.to, i18n.language]);

  const more = async () => {
    if (!statement?.nextCursor) {
      return;
    }
    setLoadingMore(true);
    try {
      const next = await fetchPage(statement.nextCursor);
      setStatement({ ...next, entries: [...statement.entries, ...next.entries] });
    } catch (error) {
      setFailure((error as Error).message);
    } finally {
      setLoadingMore(false);
    }
  };

  const download = async () => {
    setFailure(undefined);
    const { data: csv, response } = await api.GET('/api/v1/households/{id}/statement', {
      params: { path: { id }, query: { ...range, format: 'csv' } },
      parseAs: 'text',
    });
    if (!response.ok || typeof csv !== 'string') {
      setFailure(`${response.status} ${response.statusText}`);
      return;
    }
    saveCsv(csv, filenameOf(response, `statement-${id}.csv`));
  };

  const source = (entry: StatementEntry) => {
    if (entry.distributionRun) {
      return (
        <Link to={`/office/runs/${entry.distributionRun.id}`}>
          {t('relief.statement.run')} {entry.distributionRun.id.slice(0, 8)}
        </Link>
      );
    }
    if (!entry.source) {
      return '–';
    }
    const { orderId, productId, producerId, lotId, lotCode } = entry.source;
    return (
      <Space size={4} wrap>
        <span>{names ? names.producer(producerId) : producerId.slice(0, 8)}</span>
        <span>{names ? names.product(productId) : productId.slice(0, 8)}</span>
        <Link to={`/orders/${orderId}`}>
          {t('relief.statement.order')} {orderId.slice(0, 8)}
        </Link>
        {lotId ? (
          <Link to={`/office/lots?lot=${lotId}`}>
            {t('relief.statement.lot')} {lotCode ?? lotId.slice(0, 8)}
          </Link>
        ) : null}
      </Space>
    );
  };

  const household = statement?.household;
  return (
    <Space direction="vertical" size="large" style={{ width: '100%' }}>
      <Typography.Title level={2} style={{ fontSize: 20 }}>
        {t('relief.statement.title')}
        {household ? ` · ${household.archiveNumber}` : ''}
      </Typography.Title>
      <Form layout="inline" onSubmitCapture={(event) => event.preventDefault()}>
        <Form.Item label={t('reports.period')} htmlFor="statement-from">
          <Space>
            <Input
              id="statement-from"
              type="date"
              aria-label={t('relief.statement.from')}
              value={fromDate}
              onChange={(event) => setFromDate(event.target.value)}
            />
            –
            <Input
              type="date"
              aria-label={t('relief.statement.to')}
              value={toDate}
              onChange={(event) => setToDate(event.target.value)}
            />
          </Space>
        </Form.Item>
        <Form.Item>
          <Button onClick={() => void download()} disabled={!statement}>
            {t('reports.downloadCsv')}
          </Button>
        </Form.Item>
      </Form>
      {failure ? <Alert type="error" showIcon message={failure} /> : null}
      {!statement && !failure ? <Skeleton active /> : null}
      {statement && household ? (
        <>
          <Descriptions bordered size="small" column={2}>
            <Descriptions.Item label={t('relief.statement.household')}>
              {household.archiveNumber} · {household.headName}
            </Descriptions.Item>
            <Descriptions.Item label={t('office.village')}>
              {household.townNameZh} {household.villageNameZh}
            </Descriptions.Item>
          </Descriptions>
          <Card>
            <Space size="large" wrap>
              {statement.openingBalance ? (
                <Statistic
                  title={t('relief.statement.opening')}
                  value={yuan(statement.openingBalance.fen)}
                  valueRender={(node) => (
                    <span data-testid="statement-opening" data-fen={statement.openingBalance!.fen}>
                      {node}
                    </span>
                  )}
                />
              ) : null}
              <Statistic title={t('relief.statement.credits')} value={yuan(statement.credits.fen)} />
              <Statistic title={t('relief.statement.debits')} value={yuan(statement.debits.fen)} />
              {statement.closingBalance ? (
                <Statistic
                  title={t('relief.statement.closing')}
                  value={yuan(statement.closingBalance.fen)}
                  valueRender={(node) => (
                    <span data-testid="statement-closing" data-fen={statement.closingBalance!.fen}>
                      {node}
                    </span>
                  )}
                />
              ) : null}
            </Space>
          </Card>
          <Table<StatementEntry>
            data-testid="statement-entries"
            rowKey="postingId"
            size="small"
            pagination={false}
            dataSource={statement.entries}
            columns={[
              { title: t('relief.statement.date'), render: (_, e) => chinaDateTime(e.occurredAt) },
              {
                title: t('relief.statement.kind'),
                render: (_, e) => (
                  <span data-kind={e.kind}>
                    {t(`relief.statement.kindOf.${e.kind}`, { defaultValue: e.kind })}
                  </span>
                ),
              },
              { title: t('relief.statement.source'), render: (_, e) => source(e) },
              { title: t('relief.statement.memo'), dataIndex: 'memo' },
              {
                title: t('relief.statement.credit'),
                render: (_, e) => (e.side === 'credit' ? yuan(e.amount.fen) : ''),
              },
              {
                title: t('relief.statement.debit'),
                render: (_, e) => (e.side === 'debit' ? yuan(e.amount.fen) : ''),
              },
              {
                title: t('relief.statement.balance'),
                render: (_, e) => (e.balance ? yuan(e.balance.fen) : '–'),
              },
            ]}
          />
          {statement.nextCursor ? (
            <Button loading={loadingMore} onClick={() => void more()}>
              {t('relief.statement.more')}
            </Button>
          ) : null}
        </>
      ) : null}
    </Space>
  );
}

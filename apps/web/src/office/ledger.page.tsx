import { Alert, Button, Card, Descriptions, Skeleton, Space, Table, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, ok } from '../api/client';
import type { ChainHead, TrialBalance } from '../api/views';
import { chinaDateTime, yuan } from '../format.util';
import { useLoad } from '../ui/use-load';
import { filenameOf, saveCsv } from './csv-download';
import './reports.i18n';

type Account = TrialBalance['accounts'][number];

/**
 * The trial balance (every account's debits, credits and balance, and whether debits equal
 * credits: the sum is zero) and the head of the hash chain, for the office to publish.
 */
export default function LedgerPage() {
  const { t } = useTranslation();
  const [downloadError, setDownloadError] = useState<string>();
  const { data, error } = useLoad(
    () =>
      Promise.all([
        ok<TrialBalance>(api.GET('/api/v1/ledger/trial-balance')),
        ok<ChainHead>(api.GET('/api/v1/ledger/chain-head')),
      ]),
    [],
  );
  if (error) {
    return <Alert type="error" showIcon message={t('common.error')} description={error.message} />;
  }
  if (!data) {
    return <Skeleton active />;
  }
  const [balance, head] = data;
  const difference = balance.totalDebitFen - balance.totalCreditFen;
  const download = async () => {
    setDownloadError(undefined);
    const { data: csv, response } = await api.GET('/api/v1/ledger/trial-balance', {
      params: { query: { format: 'csv' } },
      parseAs: 'text',
    });
    if (!response.ok || typeof csv !== 'string') {
      setDownloadError(`${response.status} ${response.statusText}`);
      return;
    }
    saveCsv(csv, filenameOf(response, 'trial-balance.csv'));
  };
  return (
    <Space direction="vertical" size="middle" style={{ width: '100%' }}>
      <Card title={<h2 style={{ margin: 0, fontSize: 16 }}>{t('reports.chainHead')}</h2>}>
        <Typography.Paragraph>{t('reports.chainHeadLead')}</Typography.Paragraph>
        <Descriptions column={1} size="small" bordered>
          <Descriptions.Item label={t('reports.hash')}>
            <Typography.Text code copyable={!!head.hash} data-testid="chain-hash">
              {head.hash ?? '–'}
            </Typography.Text>
          </Descriptions.Item>
          <Descriptions.Item label={t('reports.sequence')}>
            <span data-testid="chain-sequence">{head.sequence}</span>
          </Descriptions.Item>
          <Descriptions.Item label={t('reports.sealedAt')}>{chinaDateTime(head.sealedAt)}</Descriptions.Item>
          <Descriptions.Item label={t('reports.unsealed')}>{head.unsealed}</Descriptions.Item>
        </Descriptions>
      </Card>
      <Card
        title={<h2 style={{ margin: 0, fontSize: 16 }}>{t('reports.trialBalance')}</h2>}
        extra={<Button onClick={() => void download()}>{t('reports.downloadCsv')}</Button>}
      >
        <Alert
          data-testid="trial-balance-verdict"
          type={balance.balanced && difference === 0 ? 'success' : 'error'}
          showIcon
          message={balance.balanced && difference === 0 ? t('reports.sumsToZero') : t('reports.notBalanced')}
          description={`${t('reports.debit')} ${yuan(balance.totalDebitFen)} − ${t('reports.credit')} ${yuan(
            balance.totalCreditFen,
          )} = ${yuan(difference)}`}
          style={{ marginBottom: 16 }}
        />
        {downloadError ? <Alert type="error" showIcon message={downloadError} /> : null}
        <Table<Account>
          rowKey="code"
          size="small"
          pagination={{ pageSize: 50, hideOnSinglePage: true }}
          dataSource={balance.accounts}
          columns={[
            { title: t('reports.account'), dataIndex: 'code' },
            { title: t('reports.accountType'), dataIndex: 'type' },
            { title: t('reports.ownerKind'), dataIndex: 'ownerKind' },
            { title: t('reports.debit'), render: (_, a) => yuan(a.debitFen) },
            { title: t('reports.credit'), render: (_, a) => yuan(a.creditFen) },
            { title: t('reports.balance'), render: (_, a) => yuan(a.balanceFen) },
          ]}
          summary={() => (
            <Table.Summary.Row>
              <Table.Summary.Cell index={0} colSpan={3}>
                {t('common.total')} ({t('reports.difference')}:{' '}
                <span data-testid="trial-difference">{yuan(difference)}</span>)
              </Table.Summary.Cell>
              <Table.Summary.Cell index={3}>{yuan(balance.totalDebitFen)}</Table.Summary.Cell>
              <Table.Summary.Cell index={4}>{yuan(balance.totalCreditFen)}</Table.Summary.Cell>
              <Table.Summary.Cell index={5} />
            </Table.Summary.Row>
          )}
        />
      </Card>
    </Space>
  );
}

import { Alert, App, Button, Card, Form, Input, Modal, Skeleton, Space, Table, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError, api, freshAccessToken, ok, tracer } from '../api/client';
import type { ApiErrorBody, PayoutBatch, PayoutBatchDetail, PayoutLine } from '../api/views';
import { chinaDateTime, fenOf, yuan } from '../format.util';
import { officeWrites, useSession } from '../session';
import { showApiError } from '../ui/api-errors';
import { StatusTag } from '../ui/status-tag';
import { useLoad } from '../ui/use-load';
import { filenameOf, saveCsv } from './csv-download';
import { maskedId } from './lot-trace.page';
import { officerName } from './officers';
import './review.i18n';

/**
 * Payout batches of household balances: an officer creates one (every balance of at least the
 * minimum), downloads the bank file, marks it sent and settles it (confirming, or from the bank's
 * return file); skipped households are listed with why. Auditors read only.
 */
export default function PayoutsPage() {
  const { t } = useTranslation();
  const { user } = useSession();
  const { message } = App.useApp();
  const writes = officeWrites(user?.role);
  const [form] = Form.useForm<{ minimum: string; memo?: string }>();
  const [creating, setCreating] = useState(false);
  const [failure, setFailure] = useState<string>();
  const [settling, setSettling] = useState<PayoutBatch>();
  const list = useLoad(() => ok<{ items: PayoutBatch[] }>(api.GET('/api/v1/ledger/payout-batches', {})), []);
  const words = { you: t('relief.runs.you'), officer: t('relief.runs.officer') };

  const create = async ({ minimum, memo }: { minimum: string; memo?: string }) => {
    setFailure(undefined);
    const minimumFen = fenOf(minimum);
    if (minimumFen === undefined) {
      form.setFields([{ name: 'minimum', errors: [t('review.payouts.minimum')] }]);
      return;
    }
    setCreating(true);
    try {
      const batch = await ok<PayoutBatchDetail>(
        api.POST('/api/v1/ledger/payout-batches', { body: { minimumFen, memo: memo || undefined } }),
      );
      void message.success(t('review.payouts.created', { number: batch.number }));
      form.resetFields();
      list.reload();
    } catch (error) {
      setFailure(showApiError(form, error, (field) => (field === 'minimumFen' ? 'minimum' : field)));
    } finally {
      setCreating(false);
    }
  };
  const act = async (what: () => Promise<unknown>, done: string) => {
    setFailure(undefined);
    try {
      await what();
      void message.success(done);
      list.reload();
    } catch (error) {
      setFailure((error as Error).message);
    }
  };
  const download = async (batch: PayoutBatch) => {
    setFailure(undefined);
    const {
      data: csv,
      error,
      response,
    } = await api.GET('/api/v1/ledger/payout-batches/{id}/file', {
      params: { path: { id: batch.id } },
      parseAs: 'text',
    });
    if (!response.ok || typeof csv !== 'string') {
      setFailure(errorMessage(error, response));
      return;
    }
    saveCsv(csv, filenameOf(response, `payout-batch-${batch.number}.csv`));
  };

  if (list.error) {
    return <Alert type="error" showIcon message={t('common.error')} description={list.error.message} />;
  }
  return (
    <Space direction="vertical" size="large" style={{ width: '100%' }}>
      <Typography.Paragraph>{t('review.payouts.lead')}</Typography.Paragraph>
      {failure ? <Alert type="error" showIcon message={failure} /> : null}
      {writes ? (
        <Card title={<h2 style={{ margin: 0, fontSize: 16 }}>{t('review.payouts.create')}</h2>}>
          <Form form={form} layout="inline" onFinish={(values) => void create(values)}>
            <Form.Item name="minimum" label={t('review.payouts.minimum')} rules={[{ required: true }]}>
              <Input inputMode="decimal" style={{ width: 120 }} />
            </Form.Item>
            <Form.Item name="memo" label={t('review.payouts.memo')}>
              <Input maxLength={200} style={{ width: 260 }} />
            </Form.Item>
            <Button type="primary" htmlType="submit" loading={creating}>
              {t('review.payouts.create')}
            </Button>
          </Form>
        </Card>
      ) : null}
      <Card title={<h2 style={{ margin: 0, fontSize: 16 }}>{t('review.payouts.title')}</h2>}>
        {!list.data ? (
          <Skeleton active />
        ) : (
          <Table<PayoutBatch>
            rowKey="id"
            size="middle"
            pagination={{ pageSize: 20 }}
            locale={{ emptyText: <span className="yg-muted">{t('review.payouts.none')}</span> }}
            dataSource={list.data.items}
            expandable={{ expandedRowRender: (batch) => <Lines batchId={batch.id} /> }}
            columns={[
              { title: t('review.payouts.number'), render: (_, b) => String(b.number) },
              { title: t('review.payouts.state'), render: (_, b) => <StatusTag status={b.state} /> },
              { title: t('review.payouts.minimumColumn'), render: (_, b) => yuan(b.minimumFen) },
              { title: t('review.payouts.total'), render: (_, b) => yuan(b.totalFen) },
              { title: t('review.payouts.lines'), dataIndex: 'lineCount' },
              { title: t('review.payouts.skipped'), dataIndex: 'skippedCount' },
              { title: t('review.payouts.paid'), render: (_, b) => yuan(b.paidFen) },
              { title: t('review.payouts.failed'), render: (_, b) => yuan(b.failedFen) },
              { title: t('review.payouts.memo'), render: (_, b) => b.memo || '–' },
              {
                title: t('review.payouts.createdAt'),
                render: (_, b) => `${chinaDateTime(b.createdAt)} · ${officerName(b.createdBy, user, words)}`,
              },
              ...(writes
                ? [
                    {
                      title: '',
                      render: (_: unknown, b: PayoutBatch) => (
                        <Space wrap>
                          {b.state !== 'settled' && b.lineCount > 0 ? (
                            <Button onClick={() => void download(b)}>{t('review.payouts.download')}</Button>
                          ) : null}
                          {b.state === 'draft' && b.lineCount > 0 ? (
                            <Button
                              onClick={() =>
                                void act(
                                  () =>
                                    ok(
                                      api.POST('/api/v1/ledger/payout-batches/{id}/sent', {
                                        params: { path: { id: b.id } },
                                      }),
                                    ),
                                  t('review.payouts.sent'),
                                )
                              }
                            >
                              {t('review.payouts.markSent')}
                            </Button>
                          ) : null}
                          {b.state === 'sent' ? (
                            <Button type="primary" onClick={() => setSettling(b)}>
                              {t('review.payouts.settle')}
                            </Button>
                          ) : null}
                        </Space>
                      ),
                    },
                  ]
                : []),
            ]}
          />
        )}
      </Card>
      {settling ? (
        <Settle
          batch={settling}
          onClose={(done) => {
            setSettling(undefined);
            if (done) {
              void message.success(t('review.payouts.settled'));
              list.reload();
            }
          }}
        />
      ) : null}
    </Space>
  );
}

function errorMessage(error: unknown, response: Response): string {
  const body = (typeof error === 'object' && error) as Partial<ApiErrorBody> | false;
  return body && body.message ? body.message : `${response.status} ${response.statusText}`;
}

/** A batch's lines: the households paid (masked ids) and those skipped, with why. */
function Lines({ batchId }: { batchId: string }) {
  const { t } = useTranslation();
  const { data, error } = useLoad(
    () =>
      ok<PayoutBatchDetail>(
        api.GET('/api/v1/ledger/payout-batches/{id}', { params: { path: { id: batchId } } }),
      ),
    [batchId],
  );
  if (error) {
    return <Alert type="error" showIcon message={error.message} />;
  }
  if (!data) {
    return <Skeleton active />;
  }
  const skipped = data.lines.filter((l) => l.status === 'skipped');
  const paid = data.lines.filter((l) => l.status !== 'skipped');
  const columns = [
    {
      title: t('review.payouts.payee'),
      render: (_: unknown, l: PayoutLine) =>
        `${t(`review.payouts.payeeKind.${l.payeeKind}`)} ${maskedId(l.payeeId)}`,
    },
    { title: t('review.payouts.amount'), render: (_: unknown, l: PayoutLine) => yuan(l.amountFen) },
    { title: t('review.payouts.reference'), render: (_: unknown, l: PayoutLine) => l.reference ?? '–' },
    {
      title: t('review.payouts.lineStatus'),
      render: (_: unknown, l: PayoutLine) => <StatusTag status={l.status} />,
    },
  ];
  return (
    <Space direction="vertical" style={{ width: '100%' }}>
      <Table<PayoutLine>
        rowKey={(l) => `${l.payeeKind}:${l.payeeId}`}
        size="small"
        pagination={{ pageSize: 10 }}
        dataSource={paid}
        locale={{ emptyText: <span className="yg-muted">{t('common.none')}</span> }}
        columns={columns}
      />
      <h3 style={{ fontSize: 14, margin: 0 }}>
        {t('review.payouts.skippedList')} ({skipped.length})
      </h3>
      <Table<PayoutLine>
        rowKey={(l) => `${l.payeeKind}:${l.payeeId}`}
        size="small"
        pagination={{ pageSize: 10 }}
        dataSource={skipped}
        data-testid="payout-skipped"
        locale={{ emptyText: <span className="yg-muted">{t('common.none')}</span> }}
        columns={[
          columns[0]!,
          {
            title: t('review.payouts.skipReason'),
            render: (_: unknown, l: PayoutLine) =>
              l.skipReason
                ? t(`review.payouts.skipReasonOf.${l.skipReason}`, { defaultValue: l.skipReason })
                : '–',
          },
        ]}
      />
    </Space>
  );
}

/** Settles a sent batch: confirmed (with the failed references, if any) or from the bank's return file. */
function Settle({ batch, onClose }: { batch: PayoutBatch; onClose: (done: boolean) => void }) {
  const { t } = useTranslation();
  const [form] = Form.useForm<{ failedReferences?: string }>();
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<string>();
  const [file, setFile] = useState<File>();
  const confirm = async ({ failedReferences }: { failedReferences?: string }) => {
    setBusy(true);
    setFailure(undefined);
    try {
      await ok(
        api.POST('/api/v1/ledger/payout-batches/{id}/settlement', {
          params: { path: { id: batch.id } },
          body: {
            failedReferences: (failedReferences ?? '')
              .split(/\s+/)
              .map((r) => r.trim())
              .filter(Boolean),
          },
        }),
      );
      onClose(true);
    } catch (error) {
      setFailure(showApiError(form, error, (field) => field.split('.')[0]));
    } finally {
      setBusy(false);
    }
  };
  const upload = async () => {
    if (!file) {
      return;
    }
    setBusy(true);
    setFailure(undefined);
    try {
      const body = new FormData();
      body.append('file', file);
      const token = await freshAccessToken();
      const path = '/api/v1/ledger/payout-batches/{id}/return-file';
      const response = await tracer.around('POST', path, (traceparent) =>
        fetch(`/api/v1/ledger/payout-batches/${batch.id}/return-file`, {
          method: 'POST',
          headers: token ? { authorization: `Bearer ${token}`, traceparent } : { traceparent },
          body,
        }),
      );
      if (!response.ok) {
        const answer = (await response.json().catch(() => ({}))) as Partial<ApiErrorBody>;
        const error = new ApiError(response.status, {
          error: answer.error ?? `HTTP_${response.status}`,
          message: answer.message ?? response.statusText,
          fields: answer.fields,
        });
        throw new Error([error.message, error.reasonFor('file')].filter(Boolean).join(' · '));
      }
      onClose(true);
    } catch (error) {
      setFailure((error as Error).message);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Modal
      open
      title={t('review.payouts.settleTitle', { number: batch.number })}
      onCancel={() => onClose(false)}
      footer={null}
    >
      <Typography.Paragraph>{t('review.payouts.settleLead')}</Typography.Paragraph>
      {failure ? <Alert type="error" showIcon message={failure} style={{ marginBottom: 12 }} /> : null}
      <Form form={form} layout="vertical" onFinish={(values) => void confirm(values)}>
        <Form.Item name="failedReferences" label={t('review.payouts.failedRefs')}>
          <Input.TextArea rows={3} />
        </Form.Item>
        <Button type="primary" htmlType="submit" loading={busy}>
          {t('review.payouts.confirmSettle')}
        </Button>
      </Form>
      <Space direction="vertical" style={{ marginTop: 16 }}>
        <label htmlFor="return-file">{t('review.payouts.returnFile')}</label>
        <input
          id="return-file"
          type="file"
          accept=".csv,text/csv"
          onChange={(event) => setFile(event.target.files?.[0])}
        />
        <Button disabled={!file} loading={busy} onClick={() => void upload()}>
          {t('review.payouts.uploadReturn')}
        </Button>
      </Space>
    </Modal>
  );
}

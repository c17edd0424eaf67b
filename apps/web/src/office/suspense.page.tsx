import { Alert, App, Button, Card, Form, Input, Modal, Radio, Select, Space, Table } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { api, ok } from '../api/client';
import type { Allocation, CursorPage, Household, SuspenseItem, Town, UnallocatedShare } from '../api/views';
import { chinaDateTime, fenOf, yuan } from '../format.util';
import { officeWrites, useSession } from '../session';
import { showApiError } from '../ui/api-errors';
import { useLoad } from '../ui/use-load';
import { ledgerNames } from './ledger-names';
import { officerName } from './officers';
import './relief.i18n';

/**
 * Money that waits for the relief office: payments held in suspense (settled once: returned or
 * kept as a donation) and household shares no household was known for (allocated to households).
 * Auditors see both lists and no button.
 */
export default function SuspensePage() {
  const { t, i18n } = useTranslation();
  const { user } = useSession();
  const writes = officeWrites(user?.role);
  const [settling, setSettling] = useState<SuspenseItem>();
  const [allocating, setAllocating] = useState<UnallocatedShare>();
  const suspense = useLoad(() => ok<{ items: SuspenseItem[] }>(api.GET('/api/v1/ledger/suspense')), []);
  const unallocated = useLoad(
    () =>
      Promise.all([
        ok<{ items: UnallocatedShare[] }>(api.GET('/api/v1/ledger/unallocated-shares')),
        ledgerNames(i18n.language === 'en'),
      ]),
    [i18n.language],
  );
  const [shares, names] = unallocated.data ?? [];
  const words = { you: t('relief.runs.you'), officer: t('relief.runs.officer') };
  const failure = suspense.error ?? unallocated.error;
  return (
    <Space direction="vertical" size="large" style={{ width: '100%' }}>
      {failure ? <Alert type="error" showIcon message={failure.message} /> : null}
      <Card title={<h2 style={{ margin: 0, fontSize: 16 }}>{t('relief.suspense.title')}</h2>}>
        <p className="yg-muted">{t('relief.suspense.lead')}</p>
        <Table<SuspenseItem>
          data-testid="suspense-table"
          rowKey="transactionId"
          size="small"
          loading={suspense.loading}
          pagination={{ pageSize: 20, hideOnSinglePage: true }}
          dataSource={suspense.data?.items ?? []}
          columns={[
            { title: t('relief.suspense.receivedAt'), render: (_, i) => chinaDateTime(i.receivedAt) },
            { title: t('relief.suspense.method'), dataIndex: 'method' },
            { title: t('relief.suspense.reference'), dataIndex: 'reference' },
            {
              title: t('relief.suspense.order'),
              render: (_, i) =>
                i.orderId ? <Link to={`/orders/${i.orderId}`}>{i.orderId.slice(0, 8)}</Link> : '–',
            },
            { title: t('relief.suspense.amount'), render: (_, i) => `${yuan(i.amountFen)} ${i.currency}` },
            {
              title: t('relief.suspense.state'),
              render: (_, i) => <span data-state={i.state}>{t(`relief.suspense.stateOf.${i.state}`)}</span>,
            },
            {
              title: t('relief.suspense.settledBy'),
              render: (_, i) =>
                i.settledBy ? `${officerName(i.settledBy, user, words)} · ${i.settlementReason ?? ''}` : '–',
            },
            ...(writes
              ? [
                  {
                    title: '',
                    render: (_: unknown, i: SuspenseItem) =>
                      i.state === 'open' ? (
                        <Button type="link" onClick={() => setSettling(i)}>
                          {t('relief.suspense.settle')}
                        </Button>
                      ) : null,
                  },
                ]
              : []),
          ]}
        />
      </Card>
      <Card title={<h2 style={{ margin: 0, fontSize: 16 }}>{t('relief.suspense.unallocatedTitle')}</h2>}>
        <p className="yg-muted">{t('relief.suspense.unallocatedLead')}</p>
        <Table<UnallocatedShare>
          data-testid="unallocated-table"
          rowKey="producerId"
          size="small"
          loading={unallocated.loading}
          pagination={false}
          dataSource={shares?.items ?? []}
          columns={[
            {
              title: t('relief.suspense.producer'),
              render: (_, s) => (names ? names.producer(s.producerId) : s.producerId),
            },
            { title: t('relief.suspense.waiting'), render: (_, s) => yuan(s.amountFen) },
            ...(writes
              ? [
                  {
                    title: '',
                    render: (_: unknown, s: UnallocatedShare) =>
                      s.amountFen > 0 ? (
                        <Button type="link" onClick={() => setAllocating(s)}>
                          {t('relief.suspense.allocate')}
                        </Button>
                      ) : null,
                  },
                ]
              : []),
          ]}
        />
      </Card>
      {settling ? (
        <SettleModal
          item={settling}
          onClose={(changed) => {
            setSettling(undefined);
            if (changed) {
              suspense.reload();
            }
          }}
        />
      ) : null}
      {allocating ? (
        <AllocateModal
          share={allocating}
          onClose={(changed) => {
            setAllocating(undefined);
            if (changed) {
              unallocated.reload();
            }
          }}
        />
      ) : null}
    </Space>
  );
}

function SettleModal({ item, onClose }: { item: SuspenseItem; onClose: (changed: boolean) => void }) {
  const { t } = useTranslation();
  const [form] = Form.useForm<{ outcome: 'return' | 'accept'; reason: string }>();
  const [failure, setFailure] = useState<string>();
  const submit = async (body: { outcome: 'return' | 'accept'; reason: string }) => {
    try {
      await ok(
        api.POST('/api/v1/ledger/suspense/{transactionId}/settlement', {
          params: { path: { transactionId: item.transactionId } },
          body,
        }),
      );
      onClose(true);
    } catch (error) {
      setFailure(showApiError(form, error));
    }
  };
  return (
    <Modal
      open
      title={`${t('relief.suspense.settle')} · ${yuan(item.amountFen)}`}
      onCancel={() => onClose(false)}
      footer={null}
    >
      {failure ? <Alert type="error" showIcon message={failure} style={{ marginBottom: 16 }} /> : null}
      <Form form={form} layout="vertical" onFinish={(values) => void submit(values)}>
        <Form.Item name="outcome" label={t('relief.suspense.outcome')} rules={[{ required: true }]}>
          <Radio.Group
            options={(['return', 'accept'] as const).map((value) => ({
              value,
              label: t(`relief.suspense.stateOf.${value}`),
            }))}
          />
        </Form.Item>
        <Form.Item name="reason" label={t('relief.suspense.reason')} rules={[{ required: true }]}>
          <Input.TextArea rows={2} maxLength={500} />
        </Form.Item>
        <Button type="primary" htmlType="submit">
          {t('relief.suspense.settle')}
        </Button>
      </Form>
    </Modal>
  );
}

interface AllocateValues {
  townId?: string;
  householdIds: string[];
  amount?: string;
  reason: string;
}

function AllocateModal({ share, onClose }: { share: UnallocatedShare; onClose: (changed: boolean) => void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [form] = Form.useForm<AllocateValues>();
  const [failure, setFailure] = useState<string>();
  // One key per opened form: a retry after a lost answer gets the first allocation back.
  const [key] = useState(() => crypto.randomUUID());
  const townId = Form.useWatch('townId', form);
  const towns = useLoad(() => ok<{ items: Town[] }>(api.GET('/api/v1/towns')), []);
  const households = useLoad(
    () =>
      townId
        ? ok<CursorPage<Household>>(
            api.GET('/api/v1/households', { params: { query: { townId, pageSize: 100 } } }),
          )
        : Promise.resolve(undefined),
    [townId],
  );
  const submit = async (values: AllocateValues) => {
    try {
      const done = await ok<Allocation>(
        api.POST('/api/v1/ledger/unallocated-shares/{producerId}/allocations', {
          params: { path: { producerId: share.producerId }, header: { 'Idempotency-Key': key } },
          body: {
            households: values.householdIds.map((householdId) => ({ householdId })),
            amountFen: values.amount ? fenOf(values.amount) : undefined,
            reason: values.reason,
          },
        }),
      );
      void message.success(
        t('relief.suspense.allocated', { amount: yuan(done.amountFen), count: done.allocations.length }),
      );
      onClose(true);
    } catch (error) {
      setFailure(
        showApiError(form, error, (field) =>
          field.startsWith('households') ? 'householdIds' : field === 'amountFen' ? 'amount' : field,
        ),
      );
    }
  };
  return (
    <Modal
      open
      title={`${t('relief.suspense.allocate')} · ${yuan(share.amountFen)}`}
      onCancel={() => onClose(false)}
      footer={null}
    >
      {failure ? <Alert type="error" showIcon message={failure} style={{ marginBottom: 16 }} /> : null}
      <Form form={form} layout="vertical" onFinish={(values) => void submit(values)}>
        <Form.Item name="townId" label={t('relief.runs.town')}>
          <Select
            options={(towns.data?.items ?? []).map((town) => ({ value: town.id, label: town.nameZh }))}
          />
        </Form.Item>
        <Form.Item
          name="householdIds"
          label={t('relief.suspense.households')}
          extra={t('relief.suspense.householdsHelp')}
          rules={[{ required: true }]}
        >
          <Select
            mode="multiple"
            disabled={!townId}
            optionFilterProp="label"
            options={(households.data?.items ?? []).map((h) => ({
              value: h.id,
              label: `${h.archiveNumber} ${h.headName} · ${h.villageNameZh}`,
            }))}
          />
        </Form.Item>
        <Form.Item name="amount" label={t('relief.runs.amount')} extra={t('relief.suspense.amountHelp')}>
          <Input inputMode="decimal" />
        </Form.Item>
        <Form.Item name="reason" label={t('relief.suspense.reason')} rules={[{ required: true }]}>
          <Input.TextArea rows={2} maxLength={500} />
        </Form.Item>
        <Button type="primary" htmlType="submit">
          {t('relief.suspense.allocate')}
        </Button>
      </Form>
    </Modal>
  );
}

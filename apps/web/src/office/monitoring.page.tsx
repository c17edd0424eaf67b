import { Alert, App, Button, Form, Input, Modal, Select, Space, Table, Tag, Timeline } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { api, ok } from '../api/client';
import type { MonitoringCase, MonitoringRefresh, Page, Town, Village } from '../api/views';
import { chinaDateTime, percent, yuan } from '../format.util';
import { officeWrites, useSession } from '../session';
import { showApiError } from '../ui/api-errors';
import { StatusTag } from '../ui/status-tag';
import { useLoad } from '../ui/use-load';
import { filenameOf, saveCsv } from './csv-download';
import './relief.i18n';

const CASE_STATUSES = ['open', 'visited', 'closed'] as const;
type CaseStatus = (typeof CASE_STATUSES)[number];
type Move = 'visit' | 'close';

/**
 * Return-to-poverty monitoring (防返贫): the cases by town, village and status, their CSV; officers
 * refresh the assessment from the ledger, record visits and close cases. Names stay masked.
 */
export default function MonitoringPage() {
  const { t } = useTranslation();
  const { user } = useSession();
  const { message } = App.useApp();
  const writes = officeWrites(user?.role);
  const [townId, setTownId] = useState<string>();
  const [villageId, setVillageId] = useState<string>();
  const [status, setStatus] = useState<CaseStatus>();
  const [page, setPage] = useState(1);
  const [moving, setMoving] = useState<{ move: Move; item: MonitoringCase }>();
  const [refreshing, setRefreshing] = useState(false);
  const [failure, setFailure] = useState<string>();
  const towns = useLoad(() => ok<{ items: Town[] }>(api.GET('/api/v1/towns')), []);
  const villages = useLoad(
    () =>
      townId
        ? ok<Page<Village>>(api.GET('/api/v1/villages', { params: { query: { townId, pageSize: 100 } } }))
        : Promise.resolve(undefined),
    [townId],
  );
  const query = { townId, villageId, status };
  const cases = useLoad(
    () =>
      ok<Page<MonitoringCase>>(
        api.GET('/api/v1/monitoring/cases', { params: { query: { ...query, page, pageSize: 20 } } }),
      ),
    [townId, villageId, status, page],
  );
  const filter =
    <T,>(set: (value: T) => void) =>
    (value: T) => {
      setPage(1);
      set(value);
    };

  const refresh = async () => {
    setRefreshing(true);
    setFailure(undefined);
    try {
      const done = await ok<MonitoringRefresh>(api.POST('/api/v1/monitoring/refresh', { body: {} }));
      void message.success(
        t('relief.cases.refreshed', {
          assessed: done.assessed,
          flagged: done.flagged,
          opened: done.opened,
        }),
      );
      cases.reload();
    } catch (error) {
      setFailure((error as Error).message);
    } finally {
      setRefreshing(false);
    }
  };
  const download = async () => {
    setFailure(undefined);
    const { data: csv, response } = await api.GET('/api/v1/monitoring/cases', {
      params: { query: { ...query, format: 'csv' } },
      parseAs: 'text',
    });
    if (!response.ok || typeof csv !== 'string') {
      setFailure(`${response.status} ${response.statusText}`);
      return;
    }
    saveCsv(csv, filenameOf(response, 'monitoring-cases.csv'));
  };

  return (
    <>
      <Space wrap style={{ marginBottom: 16 }}>
        <Select
          aria-label={t('office.town')}
          placeholder={t('office.town')}
          allowClear
          style={{ width: 160 }}
          value={townId}
          onChange={filter((value: string | undefined) => {
            setTownId(value);
            setVillageId(undefined);
          })}
          options={(towns.data?.items ?? []).map((town) => ({ value: town.id, label: town.nameZh }))}
        />
        <Select
          aria-label={t('office.village')}
          placeholder={t('office.village')}
          allowClear
          disabled={!townId}
          style={{ width: 160 }}
          value={villageId}
          onChange={filter(setVillageId)}
          options={(villages.data?.items ?? []).map((v) => ({ value: v.id, label: v.nameZh }))}
        />
        <Select
          aria-label={t('common.status')}
          placeholder={t('common.status')}
          allowClear
          style={{ width: 160 }}
          value={status}
          onChange={filter(setStatus)}
          options={CASE_STATUSES.map((value) => ({ value, label: t(`status.${value}`) }))}
        />
        <Button onClick={() => void download()}>{t('reports.downloadCsv')}</Button>
        {writes ? (
          <Button type="primary" loading={refreshing} onClick={() => void refresh()}>
            {t('relief.cases.refresh')}
          </Button>
        ) : null}
      </Space>
      {failure ? <Alert type="error" showIcon message={failure} style={{ marginBottom: 16 }} /> : null}
      {cases.error ? <Alert type="error" showIcon message={cases.error.message} /> : null}
      <Table<MonitoringCase>
        data-testid="cases-table"
        scroll={{ x: 'max-content' }}
        rowKey="id"
        size="small"
        loading={cases.loading}
        dataSource={cases.data?.items ?? []}
        pagination={{
          current: page,
          pageSize: 20,
          total: cases.data?.total ?? 0,
          showSizeChanger: false,
          onChange: setPage,
        }}
        expandable={{
          expandedRowRender: (item) => <CaseHistory item={item} />,
          rowExpandable: (item) => item.history.length > 0,
        }}
        columns={[
          {
            title: t('relief.cases.archiveNumber'),
            render: (_, item) => <span style={{ whiteSpace: 'nowrap' }}>{item.archiveNumber}</span>,
          },
          {
            title: t('relief.cases.headName'),
            render: (_, item) => <span style={{ whiteSpace: 'nowrap' }}>{item.headName}</span>,
          },
          { title: t('office.town'), dataIndex: 'townNameZh' },
          { title: t('office.village'), dataIndex: 'villageNameZh' },
          { title: t('relief.cases.members'), dataIndex: 'members' },
          {
            title: t('relief.cases.reasons'),
            render: (_, item) =>
              item.reasons.map((reason) => <Tag key={reason}>{t(`relief.cases.reason.${reason}`)}</Tag>),
          },
          { title: t('relief.cases.recent'), render: (_, item) => yuan(item.recentIncome.fen) },
          { title: t('relief.cases.prior'), render: (_, item) => yuan(item.priorIncome.fen) },
          { title: t('relief.cases.perMember'), render: (_, item) => yuan(item.perMemberPerYear.fen) },
          { title: t('relief.cases.drop'), render: (_, item) => percent(item.dropBps) },
          {
            title: t('common.status'),
            render: (_, item) => (
              <Space direction="vertical" size={0}>
                <StatusTag status={item.status} />
                {item.stillFlagged ? null : <span className="yg-muted">{t('relief.cases.notFlagged')}</span>}
              </Space>
            ),
          },
          {
            title: t('relief.cases.openedAt'),
            render: (_, item) => <span style={{ whiteSpace: 'nowrap' }}>{chinaDateTime(item.openedAt)}</span>,
          },
          {
            title: '',
            fixed: 'right',
            render: (_, item) => (
              <Space size={0} direction="vertical" align="start">
                <Link to={`/office/households/${item.householdId}/statement`}>
                  {t('relief.cases.statement')}
                </Link>
                {writes && item.status !== 'closed' ? (
                  <>
                    <Button type="link" onClick={() => setMoving({ move: 'visit', item })}>
                      {t('relief.cases.visit')}
                    </Button>
                    <Button type="link" onClick={() => setMoving({ move: 'close', item })}>
                      {t('relief.cases.close')}
                    </Button>
                  </>
                ) : null}
              </Space>
            ),
          },
        ]}
      />
      {moving ? (
        <MoveModal
          {...moving}
          onClose={(changed) => {
            setMoving(undefined);
            if (changed) {
              cases.reload();
            }
          }}
        />
      ) : null}
    </>
  );
}

function CaseHistory({ item }: { item: MonitoringCase }) {
  const { t } = useTranslation();
  return (
    <Timeline
      aria-label={t('relief.cases.history')}
      items={item.history.map((event) => ({
        children: (
          <>
            <strong>{t(`relief.cases.event.${event.kind}`, { defaultValue: event.kind })}</strong> ·{' '}
            {chinaDateTime(event.at)}
            {event.note ? <div>{event.note}</div> : null}
          </>
        ),
      }))}
    />
  );
}

function MoveModal({
  move,
  item,
  onClose,
}: {
  move: Move;
  item: MonitoringCase;
  onClose: (changed: boolean) => void;
}) {
  const { t } = useTranslation();
  const [form] = Form.useForm<{ note?: string }>();
  const [failure, setFailure] = useState<string>();
  const submit = async ({ note }: { note?: string }) => {
    try {
      const params = { path: { id: item.id } };
      await ok(
        move === 'visit'
          ? api.POST('/api/v1/monitoring/cases/{id}/visit', { params, body: { note } })
          : api.POST('/api/v1/monitoring/cases/{id}/close', { params, body: { note: note || undefined } }),
      );
      onClose(true);
    } catch (error) {
      setFailure(showApiError(form, error));
    }
  };
  const title = `${t(`relief.cases.${move}`)} · ${item.archiveNumber}`;
  return (
    <Modal open title={title} onCancel={() => onClose(false)} footer={null}>
      {failure ? <Alert type="error" showIcon message={failure} style={{ marginBottom: 16 }} /> : null}
      <Form form={form} layout="vertical" onFinish={(values) => void submit(values)}>
        <Form.Item
          name="note"
          label={t(move === 'visit' ? 'relief.cases.note' : 'relief.cases.closeNote')}
          rules={move === 'visit' ? [{ required: true, message: t('relief.cases.noteRequired') }] : []}
        >
          <Input.TextArea rows={3} maxLength={2000} />
        </Form.Item>
        <Button type="primary" htmlType="submit">
          {t(`relief.cases.${move}`)}
        </Button>
      </Form>
    </Modal>
  );
}

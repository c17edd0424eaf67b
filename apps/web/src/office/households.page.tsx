import { Alert, Button, Descriptions, Form, Input, Modal, Select, Space, Table } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { api, ok } from '../api/client';
import type { CursorPage, Household, Town } from '../api/views';
import { yuan } from '../format.util';
import { officeWrites, useSession } from '../session';
import { showApiError } from '../ui/api-errors';
import { StatusTag } from '../ui/status-tag';
import { useLoad } from '../ui/use-load';

const STATUSES = ['registered', 'exited', 'monitored_edge', 'monitored_unstable'] as const;
type Status = (typeof STATUSES)[number];

/** The register, masked; an officer opens a full record by stating why (the read is logged). */
export default function HouseholdsPage() {
  const { t } = useTranslation();
  const { user } = useSession();
  const [townId, setTownId] = useState<string>();
  const [status, setStatus] = useState<Status>();
  const [archiveNumber, setArchiveNumber] = useState<string>();
  const [cursors, setCursors] = useState<string[]>([]);
  const [open, setOpen] = useState<Household>();
  const cursor = cursors.at(-1);
  const towns = useLoad(() => ok<{ items: Town[] }>(api.GET('/api/v1/towns')), []);
  const list = useLoad(
    () =>
      ok<CursorPage<Household> & { total: number }>(
        api.GET('/api/v1/households', {
          params: { query: { townId, status, archiveNumber, cursor, pageSize: 20 } },
        }),
      ),
    [townId, status, archiveNumber, cursor],
  );
  const filter =
    <T,>(set: (value: T) => void) =>
    (value: T) => {
      setCursors([]);
      set(value);
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
          onChange={filter(setTownId)}
          options={(towns.data?.items ?? []).map((town) => ({ value: town.id, label: town.nameZh }))}
        />
        <Select
          aria-label={t('common.status')}
          placeholder={t('common.status')}
          allowClear
          style={{ width: 200 }}
          value={status}
          onChange={filter(setStatus)}
          options={STATUSES.map((value) => ({ value, label: t(`status.${value}`) }))}
        />
        <Input.Search
          aria-label={t('office.archiveNumber')}
          placeholder={t('office.archiveNumber')}
          allowClear
          onSearch={(value) => filter(setArchiveNumber)(value.trim() || undefined)}
          style={{ width: 240 }}
        />
      </Space>
      {list.error ? <Alert type="error" showIcon message={list.error.message} /> : null}
      <Table<Household>
        rowKey="id"
        loading={list.loading}
        pagination={false}
        dataSource={list.data?.items ?? []}
        columns={[
          { title: t('office.archiveNumber'), dataIndex: 'archiveNumber' },
          { title: t('office.headName'), dataIndex: 'headName' },
          { title: t('office.nationalId'), dataIndex: 'nationalId' },
          { title: t('office.members'), dataIndex: 'members' },
          { title: t('office.town'), dataIndex: 'townNameZh' },
          { title: t('office.village'), dataIndex: 'villageNameZh' },
          { title: t('common.status'), render: (_, h) => <StatusTag status={h.status} /> },
          {
            title: t('office.baselineIncome'),
            render: (_, h) => (h.baselineIncome ? yuan(h.baselineIncome.fen) : '–'),
          },
          {
            title: '',
            render: (_: unknown, h: Household) => (
              <Link to={`/office/households/${h.id}/statement`}>{t('relief.cases.statement')}</Link>
            ),
          },
          ...(officeWrites(user?.role)
            ? [
                {
                  title: '',
                  render: (_: unknown, h: Household) => (
                    <Button type="link" onClick={() => setOpen(h)}>
                      {t('office.viewFull')}
                    </Button>
                  ),
                },
              ]
            : []),
        ]}
      />
      <Space style={{ marginTop: 16 }}>
        <span>
          {t('common.total')}: {list.data?.total ?? '–'}
        </span>
        <Button disabled={cursors.length === 0} onClick={() => setCursors(cursors.slice(0, -1))}>
          {t('common.previous')}
        </Button>
        <Button
          disabled={!list.data?.nextCursor}
          onClick={() => setCursors([...cursors, list.data!.nextCursor!])}
        >
          {t('common.next')}
        </Button>
      </Space>
      {open ? <FullRecord household={open} onClose={() => setOpen(undefined)} /> : null}
    </>
  );
}

function FullRecord({ household, onClose }: { household: Household; onClose: () => void }) {
  const { t } = useTranslation();
  const [form] = Form.useForm<{ purpose: string }>();
  const [record, setRecord] = useState<Household>();
  const [failure, setFailure] = useState<string>();
  const read = async ({ purpose }: { purpose: string }) => {
    try {
      setRecord(
        await ok<Household>(
          api.GET('/api/v1/households/{id}', { params: { path: { id: household.id }, query: { purpose } } }),
        ),
      );
    } catch (error) {
      setFailure(showApiError(form, error));
    }
  };
  return (
    <Modal
      open
      title={`${t('office.viewFull')} · ${household.archiveNumber}`}
      onCancel={onClose}
      footer={null}
    >
      {!record ? (
        <Form form={form} layout="vertical" onFinish={(values) => void read(values)}>
          {failure ? <Alert type="error" showIcon message={failure} style={{ marginBottom: 16 }} /> : null}
          <Form.Item
            name="purpose"
            label={t('office.purpose')}
            extra={t('office.purposeHelp')}
            rules={[{ required: true }]}
          >
            <Input />
          </Form.Item>
          <Button type="primary" htmlType="submit">
            {t('office.viewFull')}
          </Button>
        </Form>
      ) : (
        <Descriptions column={1} bordered size="small">
          <Descriptions.Item label={t('office.headName')}>{record.headName}</Descriptions.Item>
          <Descriptions.Item label={t('office.nationalId')}>{record.nationalId}</Descriptions.Item>
          <Descriptions.Item label={t('office.payoutAccount')}>
            {record.payoutAccount ?? '–'}
          </Descriptions.Item>
          <Descriptions.Item label={t('office.members')}>{record.members}</Descriptions.Item>
          <Descriptions.Item label={t('office.village')}>
            {record.townNameZh} {record.villageNameZh}
          </Descriptions.Item>
          <Descriptions.Item label={t('common.status')}>
            <StatusTag status={record.status} />
          </Descriptions.Item>
        </Descriptions>
      )}
    </Modal>
  );
}

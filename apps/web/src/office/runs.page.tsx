import { Alert, Button, Card, Checkbox, Form, Input, Radio, Select, Space, Table } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate } from 'react-router';
import { api, ok } from '../api/client';
import type {
  DistributionRun,
  DistributionRunDetail,
  Page,
  RunPolicy,
  RunState,
  Town,
  Village,
} from '../api/views';
import { chinaDateTime, fenOf, yuan } from '../format.util';
import { officeWrites, useSession } from '../session';
import { showApiError } from '../ui/api-errors';
import { StatusTag } from '../ui/status-tag';
import { useLoad } from '../ui/use-load';
import { ledgerNames } from './ledger-names';
import { officerName } from './officers';
import './relief.i18n';

const POLICIES: RunPolicy[] = ['equal', 'per_member', 'by_status'];
const STATES: RunState[] = ['proposed', 'approved', 'rejected', 'cancelled'];
const STATUSES = ['registered', 'exited', 'monitored_edge', 'monitored_unstable'] as const;

/** Distribution runs of the relief fund: the list, and (officers) the form that proposes one. */
export default function RunsPage() {
  const { t, i18n } = useTranslation();
  const { user } = useSession();
  const [state, setState] = useState<RunState>();
  const runs = useLoad(
    () =>
      Promise.all([
        ok<{ items: DistributionRun[] }>(
          api.GET('/api/v1/ledger/distribution-runs', { params: { query: { state } } }),
        ),
        ledgerNames(i18n.language === 'en'),
      ]),
    [state, i18n.language],
  );
  const [list, names] = runs.data ?? [];
  const words = { you: t('relief.runs.you'), officer: t('relief.runs.officer') };
  const scope = (run: DistributionRun) =>
    [
      run.townId && !run.villageId && names ? names.town(run.townId) : null,
      run.villageId && names ? names.villageInTown(run.villageId) : null,
      run.status ? t(`status.${run.status}`) : null,
    ]
      .filter(Boolean)
      .join(' · ') || t('relief.runs.all');
  return (
    <Space direction="vertical" size="large" style={{ width: '100%' }}>
      {officeWrites(user?.role) ? <ProposeForm /> : null}
      <Card title={<h2 style={{ margin: 0, fontSize: 16 }}>{t('relief.runs.title')}</h2>}>
        <Space style={{ marginBottom: 16 }}>
          <Select
            aria-label={t('relief.runs.state')}
            placeholder={t('relief.runs.state')}
            allowClear
            style={{ width: 180 }}
            value={state}
            onChange={setState}
            options={STATES.map((value) => ({ value, label: t(`status.${value}`) }))}
          />
        </Space>
        {runs.error ? <Alert type="error" showIcon message={runs.error.message} /> : null}
        <Table<DistributionRun>
          data-testid="runs-table"
          rowKey="id"
          size="small"
          loading={runs.loading}
          pagination={{ pageSize: 20, hideOnSinglePage: true }}
          dataSource={list?.items ?? []}
          columns={[
            {
              title: t('relief.runs.proposedAt'),
              render: (_, run) => <Link to={`/office/runs/${run.id}`}>{chinaDateTime(run.proposedAt)}</Link>,
            },
            { title: t('relief.runs.state'), render: (_, run) => <StatusTag status={run.state} /> },
            { title: t('relief.runs.policy'), render: (_, run) => t(`relief.runs.policyOf.${run.policy}`) },
            { title: t('relief.runs.filter'), render: (_, run) => scope(run) },
            { title: t('relief.runs.total'), render: (_, run) => yuan(run.totalFen) },
            { title: t('relief.runs.recipients'), dataIndex: 'recipients' },
            {
              title: t('relief.runs.proposer'),
              render: (_, run) => officerName(run.proposedBy, user, words),
            },
            { title: t('relief.runs.approver'), render: (_, run) => officerName(run.decidedBy, user, words) },
            { title: t('relief.runs.memo'), dataIndex: 'memo' },
          ]}
        />
      </Card>
    </Space>
  );
}

interface ProposeValues {
  policy: RunPolicy;
  townId?: string;
  villageId?: string;
  status?: (typeof STATUSES)[number];
  amount?: string;
  allAvailable?: boolean;
  memo?: string;
}

function ProposeForm() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const [form] = Form.useForm<ProposeValues>();
  const [failure, setFailure] = useState<string>();
  const [busy, setBusy] = useState(false);
  const townId = Form.useWatch('townId', form);
  const allAvailable = Form.useWatch('allAvailable', form);
  const towns = useLoad(() => ok<{ items: Town[] }>(api.GET('/api/v1/towns')), []);
  const villages = useLoad(
    () =>
      townId
        ? ok<Page<Village>>(api.GET('/api/v1/villages', { params: { query: { townId, pageSize: 100 } } }))
        : Promise.resolve(undefined),
    [townId],
  );
  const propose = async (values: ProposeValues) => {
    setBusy(true);
    setFailure(undefined);
    try {
      const run = await ok<DistributionRunDetail>(
        api.POST('/api/v1/ledger/distribution-runs', {
          body: {
            policy: values.policy,
            townId: values.townId,
            villageId: values.villageId,
            status: values.status,
            totalFen: values.allAvailable ? undefined : fenOf(values.amount ?? ''),
            allAvailable: values.allAvailable || undefined,
            memo: values.memo || undefined,
          },
        }),
      );
      void navigate(`/office/runs/${run.id}`);
    } catch (error) {
      setFailure(showApiError(form, error, (field) => (field === 'totalFen' ? 'amount' : field)));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Card title={<h2 style={{ margin: 0, fontSize: 16 }}>{t('relief.runs.propose')}</h2>}>
      <p className="yg-muted">{t('relief.runs.proposeLead')}</p>
      {failure ? <Alert type="error" showIcon message={failure} style={{ marginBottom: 16 }} /> : null}
      <Form<ProposeValues>
        form={form}
        layout="vertical"
        initialValues={{ policy: 'equal' }}
        onFinish={(values) => void propose(values)}
        style={{ maxWidth: 720 }}
      >
        <Form.Item name="policy" label={t('relief.runs.policy')}>
          <Radio.Group
            optionType="button"
            aria-label={t('relief.runs.policy')}
            options={POLICIES.map((value) => ({ value, label: t(`relief.runs.policyOf.${value}`) }))}
          />
        </Form.Item>
        <Space wrap>
          <Form.Item name="townId" label={t('relief.runs.town')}>
            <Select
              allowClear
              style={{ width: 180 }}
              onChange={() => form.setFieldValue('villageId', undefined)}
              options={(towns.data?.items ?? []).map((town) => ({ value: town.id, label: town.nameZh }))}
            />
          </Form.Item>
          <Form.Item name="villageId" label={t('relief.runs.village')}>
            <Select
              allowClear
              disabled={!townId}
              style={{ width: 180 }}
              options={(villages.data?.items ?? []).map((v) => ({ value: v.id, label: v.nameZh }))}
            />
          </Form.Item>
          <Form.Item name="status" label={t('relief.runs.status')}>
            <Select
              allowClear
              style={{ width: 220 }}
              options={STATUSES.map((value) => ({ value, label: t(`status.${value}`) }))}
            />
          </Form.Item>
        </Space>
        <Space wrap align="center">
          <Form.Item
            name="amount"
            label={t('relief.runs.amount')}
            rules={[
              {
                validator: (_, value: string | undefined) =>
                  allAvailable || fenOf(value ?? '')
                    ? Promise.resolve()
                    : Promise.reject(new Error(t('relief.runs.amountOrAll'))),
              },
            ]}
          >
            <Input inputMode="decimal" disabled={allAvailable} style={{ width: 180 }} />
          </Form.Item>
          <Form.Item name="allAvailable" valuePropName="checked">
            <Checkbox>{t('relief.runs.allAvailable')}</Checkbox>
          </Form.Item>
        </Space>
        <Form.Item name="memo" label={t('relief.runs.memo')}>
          <Input maxLength={200} />
        </Form.Item>
        <Button type="primary" htmlType="submit" loading={busy}>
          {t('relief.runs.propose')}
        </Button>
      </Form>
    </Card>
  );
}

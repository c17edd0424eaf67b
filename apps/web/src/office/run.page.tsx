import {
  Alert,
  App,
  Button,
  Card,
  Descriptions,
  Form,
  Input,
  Modal,
  Skeleton,
  Space,
  Table,
  Typography,
} from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router';
import { api, ok } from '../api/client';
import type { DistributionRunDetail, DistributionShare } from '../api/views';
import { chinaDateTime, yuan } from '../format.util';
import { officeWrites, useSession } from '../session';
import { showApiError } from '../ui/api-errors';
import { StatusTag } from '../ui/status-tag';
import { useLoad } from '../ui/use-load';
import { ledgerNames } from './ledger-names';
import { maskedId } from './lot-trace.page';
import { officerName } from './officers';
import './relief.i18n';

type Decision = 'reject' | 'cancel';

/**
 * One distribution run: its preview (every household's fen and their sum) and, for officers, the
 * decisions the four-eyes rule leaves them: another officer approves or rejects, the proposer
 * withdraws. A button the rule refuses is disabled and says why; the ledger refuses it too.
 */
export default function RunPage() {
  const { t, i18n } = useTranslation();
  const { id = '' } = useParams();
  const { user } = useSession();
  const { message } = App.useApp();
  const [deciding, setDeciding] = useState<Decision>();
  const [approving, setApproving] = useState(false);
  const [failure, setFailure] = useState<string>();
  const loaded = useLoad(
    () =>
      Promise.all([
        ok<DistributionRunDetail>(
          api.GET('/api/v1/ledger/distribution-runs/{id}', { params: { path: { id } } }),
        ),
        ledgerNames(i18n.language === 'en'),
      ]),
    [id, i18n.language],
  );
  const [run, names] = loaded.data ?? [];
  if (loaded.error) {
    return <Alert type="error" showIcon message={loaded.error.message} />;
  }
  if (!run || !names) {
    return <Skeleton active />;
  }
  const words = { you: t('relief.runs.you'), officer: t('relief.runs.officer') };
  const sum = run.shares.reduce((total, share) => total + share.amountFen, 0);
  const mine = run.proposedBy === user?.id;
  const open = run.state === 'proposed';
  const whyNot = !open ? t('relief.runs.decided') : mine ? t('relief.runs.fourEyes') : undefined;
  const approve = async () => {
    setApproving(true);
    setFailure(undefined);
    try {
      await ok(api.POST('/api/v1/ledger/distribution-runs/{id}/approve', { params: { path: { id } } }));
      void message.success(t('relief.runs.approved'));
      loaded.reload();
    } catch (error) {
      setFailure((error as Error).message);
    } finally {
      setApproving(false);
    }
  };
  return (
    <Space direction="vertical" size="large" style={{ width: '100%' }}>
      <Typography.Title level={2} style={{ fontSize: 20 }}>
        <Link to="/office/runs">{t('relief.runs.title')}</Link> · <StatusTag status={run.state} />
      </Typography.Title>
      <Descriptions bordered size="small" column={2} data-testid="run-facts">
        <Descriptions.Item label={t('relief.runs.policy')}>
          {t(`relief.runs.policyOf.${run.policy}`)}
        </Descriptions.Item>
        <Descriptions.Item label={t('relief.runs.filter')}>
          {[
            run.townId && !run.villageId ? names.town(run.townId) : null,
            run.villageId ? names.villageInTown(run.villageId) : null,
            run.status ? t(`status.${run.status}`) : null,
          ]
            .filter(Boolean)
            .join(' · ') || t('relief.runs.all')}
        </Descriptions.Item>
        <Descriptions.Item label={t('relief.runs.total')}>
          <strong data-testid="run-total" data-fen={run.totalFen}>
            {yuan(run.totalFen)}
          </strong>
        </Descriptions.Item>
        <Descriptions.Item label={t('relief.runs.recipients')}>
          <span data-testid="run-recipients">{run.recipients}</span>
        </Descriptions.Item>
        <Descriptions.Item label={t('relief.runs.proposer')}>
          <span data-testid="run-proposer">{officerName(run.proposedBy, user, words)}</span> ·{' '}
          {chinaDateTime(run.proposedAt)}
        </Descriptions.Item>
        <Descriptions.Item label={t('relief.runs.approver')}>
          <span data-testid="run-decider">{officerName(run.decidedBy, user, words)}</span> ·{' '}
          {chinaDateTime(run.decidedAt)}
        </Descriptions.Item>
        {run.decisionReason ? (
          <Descriptions.Item label={t('relief.runs.reason')}>{run.decisionReason}</Descriptions.Item>
        ) : null}
        {run.transactionId ? (
          <Descriptions.Item label={t('relief.runs.transaction')}>
            <code>{run.transactionId}</code>
          </Descriptions.Item>
        ) : null}
        {run.memo ? <Descriptions.Item label={t('relief.runs.memo')}>{run.memo}</Descriptions.Item> : null}
      </Descriptions>
      {officeWrites(user?.role) ? (
        <Card>
          <Space wrap>
            <Button
              type="primary"
              loading={approving}
              disabled={whyNot !== undefined}
              aria-describedby={whyNot ? 'run-why-not' : undefined}
              onClick={() => void approve()}
            >
              {t('relief.runs.approve')}
            </Button>
            <Button
              danger
              disabled={whyNot !== undefined}
              aria-describedby={whyNot ? 'run-why-not' : undefined}
              onClick={() => setDeciding('reject')}
            >
              {t('relief.runs.reject')}
            </Button>
            <Button disabled={!open || !mine} onClick={() => setDeciding('cancel')}>
              {t('relief.runs.cancel')}
            </Button>
          </Space>
          {whyNot ? (
            <p id="run-why-not" data-testid="run-why-not" className="yg-muted" style={{ marginTop: 12 }}>
              {whyNot}
            </p>
          ) : open && !mine ? (
            <p className="yg-muted" style={{ marginTop: 12 }}>
              {t('relief.runs.onlyProposer')}
            </p>
          ) : null}
          {failure ? <Alert type="error" showIcon message={failure} style={{ marginTop: 12 }} /> : null}
        </Card>
      ) : null}
      <Card title={<h3 style={{ margin: 0, fontSize: 16 }}>{t('relief.runs.preview')}</h3>}>
        <Table<DistributionShare>
          data-testid="run-shares"
          rowKey="householdId"
          size="small"
          pagination={{ pageSize: 50, hideOnSinglePage: true }}
          dataSource={run.shares}
          columns={[
            {
              title: t('relief.runs.household'),
              render: (_, share) => (
                <Link to={`/office/households/${share.householdId}/statement`}>
                  {maskedId(share.householdId)}
                </Link>
              ),
            },
            { title: t('relief.runs.village'), render: (_, share) => names.villageInTown(share.villageId) },
            { title: t('relief.runs.members'), dataIndex: 'members' },
            { title: t('relief.runs.status'), render: (_, share) => <StatusTag status={share.status} /> },
            { title: t('relief.runs.weight'), dataIndex: 'weight' },
            { title: t('relief.runs.share'), render: (_, share) => yuan(share.amountFen) },
          ]}
          summary={() => (
            <Table.Summary.Row>
              <Table.Summary.Cell index={0} colSpan={5}>
                {t('relief.runs.sum')}
              </Table.Summary.Cell>
              <Table.Summary.Cell index={5}>
                <strong data-testid="run-sum" data-fen={sum}>
                  {yuan(sum)}
                </strong>
              </Table.Summary.Cell>
            </Table.Summary.Row>
          )}
        />
      </Card>
      {deciding ? (
        <DecisionModal
          id={id}
          decision={deciding}
          onClose={(changed) => {
            setDeciding(undefined);
            if (changed) {
              loaded.reload();
            }
          }}
        />
      ) : null}
    </Space>
  );
}

function DecisionModal({
  id,
  decision,
  onClose,
}: {
  id: string;
  decision: Decision;
  onClose: (changed: boolean) => void;
}) {
  const { t } = useTranslation();
  const [form] = Form.useForm<{ reason: string }>();
  const [failure, setFailure] = useState<string>();
  const submit = async ({ reason }: { reason: string }) => {
    try {
      const path = { id };
      await ok(
        decision === 'reject'
          ? api.POST('/api/v1/ledger/distribution-runs/{id}/reject', { params: { path }, body: { reason } })
          : api.POST('/api/v1/ledger/distribution-runs/{id}/cancel', { params: { path }, body: { reason } }),
      );
      onClose(true);
    } catch (error) {
      setFailure(showApiError(form, error));
    }
  };
  const title = t(`relief.runs.${decision}`);
  return (
    <Modal open title={title} onCancel={() => onClose(false)} footer={null}>
      {failure ? <Alert type="error" showIcon message={failure} style={{ marginBottom: 16 }} /> : null}
      <Form form={form} layout="vertical" onFinish={(values) => void submit(values)}>
        <Form.Item name="reason" label={t('relief.runs.reason')} rules={[{ required: true }]}>
          <Input.TextArea rows={3} maxLength={500} />
        </Form.Item>
        <Button type="primary" danger={decision === 'reject'} htmlType="submit">
          {title}
        </Button>
      </Form>
    </Modal>
  );
}

import { Alert, App, Button, Descriptions, Input, Skeleton, Space, Table } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, ok } from '../api/client';
import type { BenefitShare, CursorPage, Household, Page, Producer } from '../api/views';
import { percent } from '../format.util';
import { StatusTag } from '../ui/status-tag';
import { officeWrites, useSession } from '../session';
import { ReasonModal } from '../ui/decision-modals';
import { useLoad } from '../ui/use-load';
import './review.i18n';

/** Producers with the share of each sale they promised to households, and who shares now. */
export default function ProducersPage() {
  const { t } = useTranslation();
  const { user } = useSession();
  const { message } = App.useApp();
  const [filter, setFilter] = useState('');
  // Suspending a verified producer, or reinstating a suspended one: with a reason, history kept.
  const [moving, setMoving] = useState<Producer>();
  const { data, error, reload } = useLoad(
    () => ok<Page<Producer>>(api.GET('/api/v1/producers', { params: { query: { pageSize: 100 } } })),
    [],
  );
  if (error) {
    return <Alert type="error" showIcon message={t('common.error')} description={error.message} />;
  }
  if (!data) {
    return <Skeleton active />;
  }
  const needle = filter.trim();
  const shown = needle
    ? data.items.filter((p) => p.legalName.includes(needle) || p.town.includes(needle))
    : data.items;
  return (
    <Space direction="vertical" style={{ width: '100%' }}>
      <Input.Search
        allowClear
        aria-label={t('office.findProducer')}
        placeholder={t('office.findProducer')}
        onChange={(event) => setFilter(event.target.value)}
        style={{ maxWidth: 320 }}
      />
      <Table<Producer>
        rowKey="id"
        pagination={{ pageSize: 20 }}
        dataSource={shown}
        expandable={{ expandedRowRender: (producer) => <Sharing producerId={producer.id} /> }}
        columns={[
          { title: t('products.producer'), dataIndex: 'legalName' },
          {
            title: t('office.kind'),
            render: (_, p) => t(`review.producer.kindOf.${p.kind}`, { defaultValue: p.kind }),
          },
          { title: t('office.town'), dataIndex: 'town' },
          { title: t('common.status'), render: (_, p) => <StatusTag status={p.status} /> },
          { title: t('office.shareBps'), render: (_, p) => percent(p.householdShareBps) },
          ...(officeWrites(user?.role)
            ? [
                {
                  title: '',
                  render: (_: unknown, p: Producer) =>
                    p.status === 'pending' ? null : (
                      <Button onClick={() => setMoving(p)}>
                        {p.status === 'suspended' ? t('review.queue.reinstate') : t('review.queue.suspend')}
                      </Button>
                    ),
                },
              ]
            : []),
        ]}
      />
      {moving ? (
        <ReasonModal
          title={t(
            moving.status === 'suspended' ? 'review.queue.reinstateTitle' : 'review.queue.suspendTitle',
            {
              name: moving.legalName,
            },
          )}
          action={moving.status === 'suspended' ? t('review.queue.reinstate') : t('review.queue.suspend')}
          submit={(reason) =>
            ok(
              api.PATCH('/api/v1/producers/{id}/status', {
                params: { path: { id: moving.id } },
                body: { status: moving.status === 'suspended' ? 'verified' : 'suspended', reason },
              }),
            )
          }
          onClose={(done) => {
            setMoving(undefined);
            if (done) {
              void message.success(t('review.queue.done'));
              reload();
            }
          }}
        />
      ) : null}
    </Space>
  );
}

function Sharing({ producerId }: { producerId: string }) {
  const { t } = useTranslation();
  const { data, error } = useLoad(
    () =>
      Promise.all([
        ok<CursorPage<Household> & { total: number }>(
          api.GET('/api/v1/producers/{id}/households', {
            params: { path: { id: producerId }, query: { pageSize: 1 } },
          }),
        ),
        ok<{ producerId: string; asOf: string; totalWeight: number; shares: BenefitShare[] }>(
          api.GET('/api/v1/producers/{id}/benefit-shares', { params: { path: { id: producerId } } }),
        ),
      ]),
    [producerId],
  );
  if (error) {
    return <Alert type="error" showIcon message={error.message} />;
  }
  if (!data) {
    return <Skeleton active />;
  }
  return (
    <Descriptions size="small" column={2}>
      <Descriptions.Item label={t('office.linkedHouseholds')}>{data[0].total}</Descriptions.Item>
      <Descriptions.Item label={t('office.sharesNow')}>{data[1].shares.length}</Descriptions.Item>
    </Descriptions>
  );
}

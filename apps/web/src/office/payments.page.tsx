import { Alert, Card, Space, Table } from 'antd';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { api, ok } from '../api/client';
import type { CursorPage, Order, Refund } from '../api/views';
import { chinaDateTime, yuan } from '../format.util';
import { OrderTable } from '../pages/orders.page';
import { StatusTag } from '../ui/status-tag';
import { useLoad } from '../ui/use-load';

/**
 * Orders waiting for a bank transfer, and manual refunds waiting to be paid back: each opens the
 * order, where an officer confirms (auditors see the same lists and no button).
 */
export default function PaymentsPage() {
  const { t } = useTranslation();
  const pending = useLoad(
    () =>
      ok<CursorPage<Order>>(
        api.GET('/api/v1/orders', { params: { query: { status: 'pending_payment', pageSize: 100 } } }),
      ),
    [],
  );
  const recent = useLoad(
    () => ok<CursorPage<Order>>(api.GET('/api/v1/orders', { params: { query: { pageSize: 100 } } })),
    [],
  );
  const refunds = (recent.data?.items ?? []).flatMap((order) =>
    order.payment.method === 'manual'
      ? order.refunds.filter((r) => r.status === 'pending').map((refund) => ({ order, refund }))
      : [],
  );
  const failure = pending.error ?? recent.error;
  return (
    <Space direction="vertical" size="large" style={{ width: '100%' }}>
      {failure ? <Alert type="error" showIcon message={failure.message} /> : null}
      <Card title={<h2 style={{ margin: 0, fontSize: 16 }}>{t('office.awaiting')}</h2>}>
        <OrderTable orders={(pending.data?.items ?? []).filter((o) => o.payment.method === 'manual')} />
      </Card>
      <Card title={<h2 style={{ margin: 0, fontSize: 16 }}>{t('office.refundsAwaiting')}</h2>}>
        <Table<{ order: Order; refund: Refund }>
          rowKey={(row) => row.refund.id}
          pagination={false}
          dataSource={refunds}
          locale={{ emptyText: <span className="yg-muted">{t('common.none')}</span> }}
          columns={[
            {
              title: t('order.number'),
              render: (_, row) => <Link to={`/orders/${row.order.id}`}>{row.order.id.slice(0, 8)}</Link>,
            },
            { title: t('order.placed'), render: (_, row) => chinaDateTime(row.refund.createdAt) },
            { title: t('order.refundReason'), render: (_, row) => row.refund.reason },
            { title: t('common.total'), render: (_, row) => yuan(row.refund.amount.fen) },
            { title: t('common.status'), render: (_, row) => <StatusTag status={row.refund.status} /> },
          ]}
        />
      </Card>
    </Space>
  );
}

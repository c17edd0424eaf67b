import { Alert, Button, Skeleton, Table, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { api, ok } from '../api/client';
import type { CursorPage, Order } from '../api/views';
import { chinaDateTime, yuan } from '../format.util';
import { StatusTag } from '../ui/status-tag';
import { useLoad } from '../ui/use-load';

/** The signed-in buyer's orders, newest first, a page at a time. */
export default function OrdersPage() {
  const { t } = useTranslation();
  const [cursors, setCursors] = useState<string[]>([]);
  const cursor = cursors.at(-1);
  const { data, error } = useLoad(
    () => ok<CursorPage<Order>>(api.GET('/api/v1/orders', { params: { query: { pageSize: 20, cursor } } })),
    [cursor],
  );
  if (error) {
    return <Alert type="error" showIcon message={t('common.error')} description={error.message} />;
  }
  if (!data) {
    return <Skeleton active />;
  }
  return (
    <>
      <Typography.Title level={1}>{t('order.list')}</Typography.Title>
      <OrderTable orders={data.items} />
      <div style={{ marginTop: 16, display: 'flex', gap: 8 }}>
        <Button disabled={cursors.length === 0} onClick={() => setCursors(cursors.slice(0, -1))}>
          {t('common.previous')}
        </Button>
        <Button disabled={!data.nextCursor} onClick={() => setCursors([...cursors, data.nextCursor!])}>
          {t('common.next')}
        </Button>
      </div>
    </>
  );
}

/** Orders as rows: number (a link), placed, state, total. */
export function OrderTable({ orders }: { orders: Order[] }) {
  const { t } = useTranslation();
  return (
    <Table<Order>
      rowKey="id"
      pagination={false}
      dataSource={orders}
      locale={{ emptyText: <span className="yg-muted">{t('order.empty')}</span> }}
      columns={[
        {
          title: t('order.number'),
          render: (_, o) => <Link to={`/orders/${o.id}`}>{o.id.slice(0, 8)}</Link>,
        },
        { title: t('order.placed'), render: (_, o) => chinaDateTime(o.createdAt) },
        { title: t('order.status'), render: (_, o) => <StatusTag status={o.status} /> },
        { title: t('order.total'), render: (_, o) => yuan(o.total.fen) },
      ]}
    />
  );
}

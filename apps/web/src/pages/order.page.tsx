import { Alert, Card, Col, Descriptions, Row, Skeleton, Space, Steps, Table, Typography } from 'antd';
import { lazy, Suspense } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useLocation, useParams } from 'react-router';
import { api, ok } from '../api/client';
import type { Order, OrderLine, Refund } from '../api/views';
import { chinaDateTime, percent, yuan } from '../format.util';
import { isBuyer, isOffice, useSession } from '../session';
import { StatusTag } from '../ui/status-tag';
import { useLoad } from '../ui/use-load';
import { BuyerActions, ConfirmPayment, ConfirmRefund, RefundForm, ShipForm } from './order-actions';

const FLOW = ['pending_payment', 'paid', 'shipped', 'delivered'] as const;

// Stripe.js loads only for a card order being paid.
const CardPayment = lazy(() => import('./card-payment'));
// The ledger's trace and its chart load only for a paid order.
const MoneyTrace = lazy(() => import('./money-trace'));

/** One order: its state, lines and shipments, payment, refunds, and what each role may do next. */
export default function OrderPage() {
  const { id = '' } = useParams();
  const { t, i18n } = useTranslation();
  const { user } = useSession();
  const location = useLocation();
  const clientSecret = (location.state as { clientSecret?: string } | null)?.clientSecret;
  const {
    data: order,
    error,
    reload,
  } = useLoad(() => ok<Order>(api.GET('/api/v1/orders/{id}', { params: { path: { id } } })), [id, user?.id]);
  if (error) {
    return <Alert type="error" showIcon message={t('common.error')} description={error.message} />;
  }
  if (!order) {
    return <Skeleton active />;
  }
  const en = i18n.language === 'en';
  const role = user?.role;
  const step = FLOW.indexOf(order.status as (typeof FLOW)[number]);
  const manual = order.payment.method === 'manual';
  return (
    <Space direction="vertical" size="large" style={{ width: '100%' }}>
      <Typography.Title level={1}>
        {t('order.title')} {order.id.slice(0, 8)} <StatusTag status={order.status} />
      </Typography.Title>
      {step >= 0 ? (
        <Steps
          current={step}
          items={FLOW.map((status) => ({ title: t(`status.${status}`) }))}
          aria-label={t('order.status')}
        />
      ) : null}
      {order.status === 'pending_payment' && manual && isBuyer(role) ? (
        <Alert
          type="warning"
          showIcon
          message={t('order.bankTitle')}
          description={
            <>
              <p>{t('order.bankText')}</p>
              <p>
                {t('order.total')}: <strong>{yuan(order.total.fen)}</strong> · {t('order.number')}:{' '}
                <code>{order.id}</code>
              </p>
              <p>{t('order.bankAccount')}</p>
              <p>
                {t('order.expiresAt')}: {chinaDateTime(order.expiresAt)}
              </p>
            </>
          }
        />
      ) : null}
      {order.status === 'pending_payment' && !manual && clientSecret && isBuyer(role) ? (
        <Suspense fallback={<Skeleton active />}>
          <CardPayment order={order} clientSecret={clientSecret} />
        </Suspense>
      ) : null}
      <Card title={<h2 style={{ margin: 0, fontSize: 16 }}>{t('order.lines')}</h2>}>
        <Table<OrderLine>
          rowKey="id"
          pagination={false}
          dataSource={order.lines}
          columns={[
            {
              title: t('products.title'),
              render: (_, l) => (en ? l.productNameEn || l.productNameZh : l.productNameZh),
            },
            { title: t('products.producer'), dataIndex: 'producerName' },
            { title: t('common.quantity'), render: (_, l) => `${l.quantity} ${l.unit}` },
            { title: t('cart.lineTotal'), render: (_, l) => yuan(l.gross.fen) },
            { title: t('products.householdShare'), render: (_, l) => percent(l.householdShareBps) },
            {
              title: t('order.shipments'),
              render: (_, l) =>
                l.carrier ? (
                  <span data-testid="shipment">
                    {l.carrier} {l.trackingNumber} · {chinaDateTime(l.shippedAt)}
                  </span>
                ) : (
                  <StatusTag status={l.status} />
                ),
            },
          ]}
        />
      </Card>
      <Row gutter={16}>
        <Col xs={24} md={12}>
          <Card title={<h2 style={{ margin: 0, fontSize: 16 }}>{t('order.payment')}</h2>}>
            <Descriptions column={1} size="small">
              <Descriptions.Item label={t('order.placed')}>
                {chinaDateTime(order.createdAt)}
              </Descriptions.Item>
              <Descriptions.Item label={t('order.subtotal')}>{yuan(order.subtotal.fen)}</Descriptions.Item>
              <Descriptions.Item label={t('order.donation')}>{yuan(order.donation.fen)}</Descriptions.Item>
              <Descriptions.Item label={t('order.total')}>
                <strong data-testid="order-total">{yuan(order.total.fen)}</strong>
              </Descriptions.Item>
              <Descriptions.Item label={t('cart.payment')}>
                {manual ? t('cart.bankTransfer') : t('cart.card')}
              </Descriptions.Item>
              <Descriptions.Item label={t('order.paidAt')}>
                {chinaDateTime(order.payment.paidAt)}
              </Descriptions.Item>
              {order.payment.reference ? (
                <Descriptions.Item label={t('order.reference')}>{order.payment.reference}</Descriptions.Item>
              ) : null}
            </Descriptions>
          </Card>
        </Col>
        <Col xs={24} md={12}>
          <Card
            title={<h2 style={{ margin: 0, fontSize: 16 }}>{t('order.whereMoneyWent')}</h2>}
            extra={
              order.payment.paidAt && isOffice(user?.role) ? (
                <Link to={`/office/flow?order=${order.id}`}>{t('order.flowChart')}</Link>
              ) : null
            }
          >
            {order.payment.paidAt ? (
              <Suspense fallback={<Skeleton active />}>
                <MoneyTrace orderId={order.id} />
              </Suspense>
            ) : (
              <>
                <Typography.Paragraph>{t('order.whereMoneyWentSoon')}</Typography.Paragraph>
                <Descriptions column={1} size="small">
                  {order.lines.map((l) => (
                    <Descriptions.Item
                      key={l.id}
                      label={en ? l.productNameEn || l.productNameZh : l.productNameZh}
                    >
                      {yuan(l.gross.fen)} · {t('products.householdShare')} {percent(l.householdShareBps)}
                    </Descriptions.Item>
                  ))}
                  {order.donation.fen > 0 ? (
                    <Descriptions.Item label={t('order.donation')}>
                      {yuan(order.donation.fen)}
                    </Descriptions.Item>
                  ) : null}
                </Descriptions>
              </>
            )}
          </Card>
        </Col>
      </Row>
      {order.refunds.length > 0 ? (
        <Card title={<h2 style={{ margin: 0, fontSize: 16 }}>{t('order.refunds')}</h2>}>
          <Table<Refund>
            rowKey="id"
            pagination={false}
            dataSource={order.refunds}
            columns={[
              { title: t('order.placed'), render: (_, r) => chinaDateTime(r.createdAt) },
              { title: t('order.refundReason'), dataIndex: 'reason' },
              { title: t('common.total'), render: (_, r) => yuan(r.amount.fen) },
              { title: t('common.status'), render: (_, r) => <StatusTag status={r.status} /> },
              {
                title: '',
                render: (_, r) => <ConfirmRefund order={order} refund={r} onDone={reload} />,
              },
            ]}
          />
        </Card>
      ) : null}
      <ConfirmPayment order={order} onDone={reload} />
      <ShipForm order={order} onDone={reload} />
      <RefundForm order={order} onDone={reload} />
      <BuyerActions order={order} onDone={reload} />
    </Space>
  );
}

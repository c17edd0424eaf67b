import { Alert, Button, Card, Checkbox, Form, Input, Space } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, ok } from '../api/client';
import type { Order, Refund } from '../api/views';
import { fenOf, yuan } from '../format.util';
import { isBuyer, officeWrites, useSession } from '../session';
import { showApiError } from '../ui/api-errors';

interface ActionProps {
  order: Order;
  onDone: () => void;
}

function Section({ title, children }: { title: string; children: React.ReactNode }) {
  return <Card title={<h2 style={{ margin: 0, fontSize: 16 }}>{title}</h2>}>{children}</Card>;
}

/** A relief officer confirms a bank transfer arrived: the amount must be the order's total. */
export function ConfirmPayment({ order, onDone }: ActionProps) {
  const { t } = useTranslation();
  const { user } = useSession();
  const [form] = Form.useForm<{ amount: string; reference: string }>();
  const [failure, setFailure] = useState<string>();
  if (!officeWrites(user?.role) || order.status !== 'pending_payment' || order.payment.method !== 'manual') {
    return null;
  }
  const submit = async (values: { amount: string; reference: string }) => {
    const amountFen = fenOf(values.amount);
    if (amountFen === undefined) {
      form.setFields([{ name: 'amount', errors: [t('order.amount')] }]);
      return;
    }
    try {
      await ok(
        api.POST('/api/v1/orders/{id}/payments/manual', {
          params: { path: { id: order.id } },
          body: { amountFen, reference: values.reference },
        }),
      );
      onDone();
    } catch (error) {
      setFailure(showApiError(form, error, (f) => (f === 'amountFen' ? 'amount' : f)));
    }
  };
  return (
    <Section title={t('order.confirmPayment')}>
      {failure ? <Alert type="error" showIcon message={failure} style={{ marginBottom: 16 }} /> : null}
      <Form
        form={form}
        layout="inline"
        initialValues={{ amount: yuan(order.total.fen).replace(/[¥,]/g, '') }}
        onFinish={(values) => void submit(values)}
      >
        <Form.Item name="amount" label={t('order.amount')} rules={[{ required: true }]}>
          <Input inputMode="decimal" />
        </Form.Item>
        <Form.Item name="reference" label={t('order.reference')} rules={[{ required: true }]}>
          <Input />
        </Form.Item>
        <Button type="primary" htmlType="submit">
          {t('order.confirmPayment')}
        </Button>
      </Form>
    </Section>
  );
}

/** Producer staff (their lines) or an officer ship pending lines with a carrier and tracking number. */
export function ShipForm({ order, onDone }: ActionProps) {
  const { t, i18n } = useTranslation();
  const { user } = useSession();
  const [form] = Form.useForm<{ lineIds: string[]; carrier: string; trackingNumber: string }>();
  const [failure, setFailure] = useState<string>();
  const mine = (producerId: string) =>
    officeWrites(user?.role) || (user?.producerIds ?? []).includes(producerId);
  const pending = order.lines.filter((l) => l.status === 'pending' && mine(l.producerId));
  const writes = officeWrites(user?.role) || user?.role === 'producer_staff';
  if (!writes || order.status !== 'paid' || pending.length === 0) {
    return null;
  }
  const submit = async (values: { lineIds: string[]; carrier: string; trackingNumber: string }) => {
    if (values.lineIds.length === 0) {
      form.setFields([{ name: 'lineIds', errors: [t('order.lines')] }]);
      return;
    }
    try {
      await ok(
        api.POST('/api/v1/orders/{id}/shipments', { params: { path: { id: order.id } }, body: values }),
      );
      onDone();
    } catch (error) {
      setFailure(showApiError(form, error));
    }
  };
  return (
    <Section title={t('order.ship')}>
      {failure ? <Alert type="error" showIcon message={failure} style={{ marginBottom: 16 }} /> : null}
      <Form
        form={form}
        layout="vertical"
        initialValues={{ lineIds: pending.map((l) => l.id) }}
        onFinish={(values) => void submit(values)}
        style={{ maxWidth: 560 }}
      >
        {/* No `required` rule: it would put aria-required on the group, which ARIA does not allow. */}
        <Form.Item name="lineIds" label={t('order.lines')}>
          <Checkbox.Group
            options={pending.map((l) => ({
              value: l.id,
              label: `${i18n.language === 'en' ? l.productNameEn : l.productNameZh} × ${l.quantity}`,
            }))}
          />
        </Form.Item>
        <Form.Item name="carrier" label={t('order.carrier')} rules={[{ required: true }]}>
          <Input />
        </Form.Item>
        <Form.Item name="trackingNumber" label={t('order.tracking')} rules={[{ required: true }]}>
          <Input />
        </Form.Item>
        <Button type="primary" htmlType="submit">
          {t('order.ship')}
        </Button>
      </Form>
    </Section>
  );
}

/** An officer, or staff of the lines' producer, refunds the whole order (its lines in full). */
export function RefundForm({ order, onDone }: ActionProps) {
  const { t } = useTranslation();
  const { user } = useSession();
  const [form] = Form.useForm<{ reason: string; goodsReturned: boolean }>();
  const [failure, setFailure] = useState<string>();
  const [open, setOpen] = useState(false);
  const staffLines = order.lines.filter((l) => (user?.producerIds ?? []).includes(l.producerId));
  const allowed = officeWrites(user?.role) || (user?.role === 'producer_staff' && staffLines.length > 0);
  if (!allowed || !['paid', 'shipped', 'delivered'].includes(order.status)) {
    return null;
  }
  const lines = (officeWrites(user?.role) ? order.lines : staffLines)
    .filter((l) => l.quantity > l.refundedQuantity)
    .map((l) => ({ lineId: l.id, quantity: l.quantity - l.refundedQuantity }));
  const submit = async (values: { reason: string; goodsReturned: boolean }) => {
    try {
      await ok(
        api.POST('/api/v1/orders/{id}/refunds', {
          params: { path: { id: order.id }, header: { 'Idempotency-Key': crypto.randomUUID() } },
          body: { lines, reason: values.reason, goodsReturned: values.goodsReturned },
        }),
      );
      setOpen(false);
      onDone();
    } catch (error) {
      setFailure(showApiError(form, error));
    }
  };
  return (
    <Section title={t('order.refund')}>
      {!open ? (
        <Button danger onClick={() => setOpen(true)}>
          {t('order.refund')}
        </Button>
      ) : (
        <>
          {failure ? <Alert type="error" showIcon message={failure} style={{ marginBottom: 16 }} /> : null}
          <Form
            form={form}
            layout="vertical"
            initialValues={{ goodsReturned: false }}
            onFinish={(v) => void submit(v)}
          >
            <Form.Item name="reason" label={t('order.refundReason')} rules={[{ required: true }]}>
              <Input.TextArea rows={2} />
            </Form.Item>
            <Form.Item name="goodsReturned" valuePropName="checked">
              <Checkbox>{t('order.goodsReturned')}</Checkbox>
            </Form.Item>
            <Space>
              <Button danger type="primary" htmlType="submit">
                {t('order.refund')}
              </Button>
              <Button onClick={() => setOpen(false)}>{t('common.cancel')}</Button>
            </Space>
          </Form>
        </>
      )}
    </Section>
  );
}

/** A relief officer records that a manual refund's money was paid back. */
export function ConfirmRefund({ order, refund, onDone }: ActionProps & { refund: Refund }) {
  const { t } = useTranslation();
  const { user } = useSession();
  const [form] = Form.useForm<{ reference: string }>();
  const [failure, setFailure] = useState<string>();
  if (!officeWrites(user?.role) || refund.status !== 'pending' || order.payment.method !== 'manual') {
    return null;
  }
  const submit = async (values: { reference: string }) => {
    try {
      await ok(
        api.POST('/api/v1/orders/{id}/refunds/{refundId}/confirm', {
          params: { path: { id: order.id, refundId: refund.id } },
          body: values,
        }),
      );
      onDone();
    } catch (error) {
      setFailure(showApiError(form, error));
    }
  };
  return (
    <Form form={form} layout="inline" onFinish={(v) => void submit(v)}>
      <Form.Item name="reference" label={t('order.reference')} rules={[{ required: true }]} help={failure}>
        <Input />
      </Form.Item>
      <Button htmlType="submit">{t('order.confirmRefund')}</Button>
    </Form>
  );
}

/** The buyer cancels before payment, or confirms delivery once shipped. */
export function BuyerActions({ order, onDone }: ActionProps) {
  const { t } = useTranslation();
  const { user } = useSession();
  const [failure, setFailure] = useState<string>();
  if (!isBuyer(user?.role) || user?.id !== order.buyerId) {
    return null;
  }
  const act = (call: Promise<{ response: Response; error?: unknown; data?: unknown }>) =>
    ok(call).then(onDone, (error: Error) => setFailure(error.message));
  return (
    <Space>
      {failure ? <Alert type="error" showIcon message={failure} /> : null}
      {order.status === 'pending_payment' ? (
        <Button
          danger
          onClick={() =>
            void act(api.POST('/api/v1/orders/{id}/cancel', { params: { path: { id: order.id } } }))
          }
        >
          {t('order.cancel')}
        </Button>
      ) : null}
      {order.status === 'shipped' ? (
        <Button
          type="primary"
          onClick={() =>
            void act(api.POST('/api/v1/orders/{id}/delivery', { params: { path: { id: order.id } } }))
          }
        >
          {t('order.delivered')}
        </Button>
      ) : null}
    </Space>
  );
}

import {
  Alert,
  Button,
  Card,
  Checkbox,
  Empty,
  Form,
  Input,
  InputNumber,
  Radio,
  Skeleton,
  Space,
  Table,
  Typography,
} from 'antd';
import { useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate } from 'react-router';
import { api, ok } from '../api/client';
import type { Cart, CartItem, Order, PaymentOptions } from '../api/views';
import { fenOf, yuan } from '../format.util';
import { isBuyer, useSession } from '../session';
import { showApiError } from '../ui/api-errors';
import { useLoad } from '../ui/use-load';

interface CheckoutForm {
  donation?: string;
  roundUp: boolean;
  paymentMethod: 'manual' | 'stripe';
}

/** The cart (this browser's until sign-in, then the buyer's) and checkout. */
export default function CartPage() {
  const { t, i18n } = useTranslation();
  const { user } = useSession();
  const navigate = useNavigate();
  const [form] = Form.useForm<CheckoutForm>();
  const [failure, setFailure] = useState<string>();
  const [busy, setBusy] = useState(false);
  // One key per checkout attempt: a repeat after a lost answer returns the same order.
  const idempotencyKey = useRef(crypto.randomUUID());
  const cart = useLoad(() => ok<Cart>(api.GET('/api/v1/cart')), [user?.id]);
  const payment = useLoad(() => ok<PaymentOptions>(api.GET('/api/v1/payments/options')), []);
  const card = payment.data?.card === true;
  const en = i18n.language === 'en';

  const change = async (item: CartItem, quantity: number | null) => {
    if (quantity === null) {
      return;
    }
    try {
      await ok(
        api.PATCH('/api/v1/cart/items/{productId}', {
          params: { path: { productId: item.productId } },
          body: { quantity },
        }),
      );
    } catch (error) {
      setFailure((error as Error).message);
    }
    cart.reload();
  };
  const remove = async (item: CartItem) => {
    await ok(
      api.DELETE('/api/v1/cart/items/{productId}', { params: { path: { productId: item.productId } } }),
    ).catch((error: Error) => setFailure(error.message));
    cart.reload();
  };
  const checkout = async (values: CheckoutForm) => {
    const donationFen = values.donation ? fenOf(values.donation) : 0;
    if (donationFen === undefined) {
      form.setFields([{ name: 'donation', errors: [t('cart.donationHelp')] }]);
      return;
    }
    setBusy(true);
    setFailure(undefined);
    try {
      const { order, clientSecret } = await ok<{ order: Order; clientSecret: string | null }>(
        api.POST('/api/v1/checkout', {
          params: { header: { 'Idempotency-Key': idempotencyKey.current } },
          body: { paymentMethod: values.paymentMethod, donationFen, roundUp: values.roundUp },
        }),
      );
      idempotencyKey.current = crypto.randomUUID();
      // A card order is paid on its page, with the PaymentIntent's secret handed over in memory.
      void navigate(`/orders/${order.id}`, { state: clientSecret ? { clientSecret } : null });
    } catch (error) {
      setFailure(showApiError(form, error, (field) => (field === 'donationFen' ? 'donation' : field)));
    } finally {
      setBusy(false);
    }
  };

  if (cart.error) {
    return <Alert type="error" showIcon message={t('common.error')} description={cart.error.message} />;
  }
  if (!cart.data) {
    return <Skeleton active />;
  }
  const items = cart.data.items;
  return (
    <>
      <Typography.Title level={1}>{t('cart.title')}</Typography.Title>
      {failure ? <Alert type="error" showIcon message={failure} style={{ marginBottom: 16 }} /> : null}
      {items.length === 0 ? (
        <Empty description={t('cart.empty')}>
          <Link to="/products">{t('nav.products')}</Link>
        </Empty>
      ) : (
        <>
          <Table<CartItem>
            rowKey="productId"
            pagination={false}
            dataSource={items}
            columns={[
              {
                title: t('products.title'),
                render: (_, item) => (
                  <Link to={`/products/${item.productId}`}>
                    {en ? item.nameEn || item.nameZh : item.nameZh}
                  </Link>
                ),
              },
              {
                title: t('cart.unitPrice'),
                render: (_, item) =>
                  item.unitPrice ? `${yuan(item.unitPrice.fen)} / ${item.unit}` : t('cart.unavailable'),
              },
              {
                title: t('common.quantity'),
                render: (_, item) => (
                  <InputNumber
                    aria-label={`${t('common.quantity')}: ${item.nameZh}`}
                    min={1}
                    max={Math.max(item.quantity, item.stock)}
                    value={item.quantity}
                    onChange={(value) => void change(item, value)}
                  />
                ),
              },
              {
                title: t('cart.lineTotal'),
                render: (_, item) => (item.lineTotal ? yuan(item.lineTotal.fen) : '–'),
              },
              {
                title: '',
                render: (_, item) => (
                  <Button type="link" onClick={() => void remove(item)}>
                    {t('cart.remove')}
                  </Button>
                ),
              },
            ]}
            summary={() => (
              <Table.Summary.Row>
                <Table.Summary.Cell index={0} colSpan={3}>
                  {t('cart.subtotal')}
                </Table.Summary.Cell>
                <Table.Summary.Cell index={1} colSpan={2}>
                  <strong data-testid="cart-subtotal">{yuan(cart.data!.subtotal.fen)}</strong>
                </Table.Summary.Cell>
              </Table.Summary.Row>
            )}
          />
          <Card
            style={{ marginTop: 16 }}
            title={<h2 style={{ margin: 0, fontSize: 16 }}>{t('cart.checkout')}</h2>}
          >
            {!user ? (
              <Space direction="vertical">
                <Typography.Text>{t('cart.signInToBuy')}</Typography.Text>
                <Button type="primary" onClick={() => void navigate('/sign-in?next=/cart')}>
                  {t('nav.signIn')}
                </Button>
              </Space>
            ) : !isBuyer(user.role) ? null : (
              <Form<CheckoutForm>
                form={form}
                layout="vertical"
                initialValues={{ roundUp: false, paymentMethod: 'manual' }}
                onFinish={(values) => void checkout(values)}
                style={{ maxWidth: 560 }}
              >
                <Form.Item name="donation" label={t('cart.donation')} extra={t('cart.donationHelp')}>
                  <Input inputMode="decimal" placeholder="0.00" />
                </Form.Item>
                <Form.Item name="roundUp" valuePropName="checked">
                  <Checkbox>{t('cart.roundUp')}</Checkbox>
                </Form.Item>
                <Form.Item
                  name="paymentMethod"
                  label={t('cart.payment')}
                  extra={card ? undefined : t('cart.cardUnavailable')}
                >
                  <Radio.Group
                    options={[
                      { value: 'manual', label: t('cart.bankTransfer') },
                      { value: 'stripe', label: t('cart.card'), disabled: !card },
                    ]}
                  />
                </Form.Item>
                <Button type="primary" htmlType="submit" loading={busy} size="large">
                  {t('cart.placeOrder')}
                </Button>
              </Form>
            )}
          </Card>
        </>
      )}
    </>
  );
}

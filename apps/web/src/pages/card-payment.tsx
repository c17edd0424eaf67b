import type { Stripe, StripeElements } from '@stripe/stripe-js';
import { loadStripe } from '@stripe/stripe-js/pure';
import { Alert, Button, Card } from 'antd';
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, ok } from '../api/client';
import type { Order, PaymentOptions } from '../api/views';
import { yuan } from '../format.util';

/**
 * Stripe's Payment Element for a card order: Stripe.js loads from js.stripe.com (the gateway's
 * content policy allows it only when a publishable key is configured) and confirms the
 * PaymentIntent; the order becomes paid when Stripe's webhook reaches the gateway.
 */
export default function CardPayment({ order, clientSecret }: { order: Order; clientSecret: string }) {
  const { t, i18n } = useTranslation();
  const mount = useRef<HTMLDivElement>(null);
  const [ready, setReady] = useState<{ stripe: Stripe; elements: StripeElements }>();
  const [failure, setFailure] = useState<string>();
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    let current = true;
    void (async () => {
      const options = await ok<PaymentOptions>(api.GET('/api/v1/payments/options'));
      if (!options.stripePublishableKey) {
        throw new Error(t('cart.cardUnavailable'));
      }
      const stripe = await loadStripe(options.stripePublishableKey);
      if (!stripe || !current || !mount.current) {
        return;
      }
      const elements = stripe.elements({ clientSecret, locale: i18n.language === 'en' ? 'en' : 'zh' });
      elements.create('payment').mount(mount.current);
      setReady({ stripe, elements });
    })().catch((error: Error) => current && setFailure(error.message));
    return () => {
      current = false;
    };
  }, [clientSecret, i18n.language, t]);
  const pay = async () => {
    if (!ready) {
      return;
    }
    setBusy(true);
    const { error } = await ready.stripe.confirmPayment({
      elements: ready.elements,
      confirmParams: { return_url: `${window.location.origin}/orders/${order.id}` },
    });
    setBusy(false);
    if (error) {
      setFailure(error.message);
    }
  };
  return (
    <Card title={<h2 style={{ margin: 0, fontSize: 16 }}>{t('cart.card')}</h2>}>
      {failure ? <Alert type="error" showIcon message={failure} style={{ marginBottom: 16 }} /> : null}
      <div ref={mount} />
      <Button
        type="primary"
        style={{ marginTop: 16 }}
        disabled={!ready}
        loading={busy}
        onClick={() => void pay()}
      >
        {t('cart.placeOrder')} {yuan(order.total.fen)}
      </Button>
    </Card>
  );
}

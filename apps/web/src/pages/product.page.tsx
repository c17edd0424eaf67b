import { Alert, App, Button, Card, Descriptions, InputNumber, Skeleton, Space, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router';
import { api, ok } from '../api/client';
import type { Producer, Product } from '../api/views';
import { percent, yuan } from '../format.util';
import { ReliefLogo } from '../ui/relief-logo';
import { useLoad } from '../ui/use-load';
import { addToCart } from './cart.actions';

/** One product: producer, origin village, certification, the households' share, stock. */
export default function ProductPage() {
  const { id = '' } = useParams();
  const { t, i18n } = useTranslation();
  const { message } = App.useApp();
  const [quantity, setQuantity] = useState(1);
  const { data, error } = useLoad(async () => {
    const product = await ok<Product>(api.GET('/api/v1/products/{id}', { params: { path: { id } } }));
    const producer = await ok<Producer>(
      api.GET('/api/v1/producers/{id}', { params: { path: { id: product.producerId } } }),
    );
    return { product, producer };
  }, [id]);
  if (error) {
    return <Alert type="error" showIcon message={t('common.error')} description={error.message} />;
  }
  if (!data) {
    return <Skeleton active />;
  }
  const { product, producer } = data;
  const en = i18n.language === 'en';
  return (
    <Card>
      <Typography.Title level={1}>{en ? product.nameEn || product.nameZh : product.nameZh}</Typography.Title>
      <Typography.Title level={2} style={{ fontSize: 24 }}>
        {yuan(product.price.fen)} / {product.unit}
      </Typography.Title>
      <Descriptions column={1} bordered size="small" style={{ marginBottom: 16 }}>
        <Descriptions.Item label={t('products.producer')}>
          <Link to={`/products?producer=${producer.id}`}>{producer.legalName}</Link>
        </Descriptions.Item>
        <Descriptions.Item label={t('products.town')}>{product.town}</Descriptions.Item>
        <Descriptions.Item label={t('products.origin')}>{product.originVillage || '–'}</Descriptions.Item>
        <Descriptions.Item label={t('products.certification')}>
          {product.reliefCertification || '–'}
        </Descriptions.Item>
        {product.licensed ? (
          <Descriptions.Item label={t('products.logo')}>
            <ReliefLogo licenceNumber={product.licenceNumber} /> {product.licenceNumber}
          </Descriptions.Item>
        ) : null}
        <Descriptions.Item label={t('products.householdShare')}>
          <strong>{percent(producer.householdShareBps)}</strong> · {t('products.householdShareNote')}
        </Descriptions.Item>
        <Descriptions.Item label={t('products.stock')}>
          {product.stock} {product.unit}
        </Descriptions.Item>
      </Descriptions>
      <Space>
        <InputNumber
          aria-label={t('common.quantity')}
          min={1}
          max={Math.max(1, product.stock)}
          value={quantity}
          onChange={(value) => setQuantity(value ?? 1)}
        />
        <Button
          type="primary"
          disabled={product.stock <= 0}
          onClick={() =>
            void addToCart(product.id, quantity).then(
              () => message.success(t('products.added')),
              (failure: Error) => message.error(failure.message),
            )
          }
        >
          {product.stock > 0 ? t('products.addToCart') : t('products.outOfStock')}
        </Button>
        <Link to="/cart">{t('nav.cart')}</Link>
      </Space>
    </Card>
  );
}

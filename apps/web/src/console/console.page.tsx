import { Alert, Button, Card, Empty, Select, Skeleton, Space, Table, Tabs, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { api, ok } from '../api/client';
import type { CursorPage, Lot, Order, Page, ProducerApplication, Product } from '../api/views';
import { chinaDateTime, yuan } from '../format.util';
import { OrderTable } from '../pages/orders.page';
import { useSession } from '../session';
import { ReliefLogo } from '../ui/relief-logo';
import { StatusTag } from '../ui/status-tag';
import { useLoad } from '../ui/use-load';
import '../office/review.i18n';
import { AddLot } from './add-lot';
import { ConsoleBalance } from './balance';
import { ConsoleLabels } from './labels';
import { ConsoleLicences } from './licences';
import { Applications, ApplyProducer } from './producer-application';

/**
 * Producer staff: their products with lots and stock, the lines to ship, their orders, their LOGO
 * licences and label orders, and their producer applications (a newcomer applies first).
 */
export default function ConsolePage() {
  const { t } = useTranslation();
  const { user } = useSession();
  const staff = user?.role === 'producer_staff';
  const mine = useLoad(
    () =>
      staff
        ? ok<Page<ProducerApplication>>(
            api.GET('/api/v1/producers/mine', { params: { query: { pageSize: 100 } } }),
          )
        : Promise.resolve(undefined),
    [staff],
  );
  const [chosen, setChosen] = useState<string>();
  if (!user || !staff) {
    return <Empty description={t('console.noProducer')} />;
  }
  if (mine.error) {
    return <Alert type="error" showIcon message={t('common.error')} description={mine.error.message} />;
  }
  if (!mine.data) {
    return <Skeleton active />;
  }
  const producers = mine.data.items;
  const title = <Typography.Title level={1}>{t('console.title')}</Typography.Title>;
  if (producers.length === 0) {
    return (
      <>
        {title}
        <ApplyProducer onApplied={mine.reload} />
      </>
    );
  }
  const producer = producers.find((p) => p.id === chosen) ?? producers[0]!;
  const applications = (
    <Space direction="vertical" size="large" style={{ width: '100%' }}>
      <Applications producers={producers} />
      <ApplyProducer onApplied={mine.reload} />
    </Space>
  );
  return (
    <>
      {title}
      {producers.length > 1 ? (
        <Select
          aria-label={t('products.producer')}
          value={producer.id}
          onChange={setChosen}
          options={producers.map((p) => ({ value: p.id, label: p.legalName }))}
          style={{ minWidth: 280 }}
        />
      ) : null}
      {producer.status === 'verified' ? null : (
        <Alert
          type="warning"
          showIcon
          style={{ marginTop: 12 }}
          message={<StatusTag status={producer.status} />}
          description={t('review.producer.pendingNote')}
        />
      )}
      <Tabs
        items={[
          { key: 'products', label: t('console.products'), children: <Products producerId={producer.id} /> },
          { key: 'ship', label: t('console.toShip'), children: <ToShip producerId={producer.id} /> },
          { key: 'balance', label: t('balance.tab'), children: <ConsoleBalance producerId={producer.id} /> },
          {
            key: 'licences',
            label: t('review.nav.licences'),
            children: <ConsoleLicences producerId={producer.id} />,
          },
          {
            key: 'labels',
            label: t('review.labels.title'),
            children: <ConsoleLabels producerId={producer.id} />,
          },
          { key: 'applications', label: t('review.producer.applications'), children: applications },
        ]}
      />
    </>
  );
}

function Products({ producerId }: { producerId: string }) {
  const { t, i18n } = useTranslation();
  const { data, error, reload } = useLoad(
    () =>
      ok<Page<Product>>(
        api.GET('/api/v1/products', {
          params: { query: { producerId, includeUnlisted: true, pageSize: 100 } },
        }),
      ),
    [producerId],
  );
  if (error) {
    return <Alert type="error" showIcon message={t('common.error')} description={error.message} />;
  }
  if (!data) {
    return <Skeleton active />;
  }
  return (
    <Table<Product>
      rowKey="id"
      pagination={false}
      dataSource={data.items}
      expandable={{
        expandedRowRender: (product) => <Lots product={product} producerId={producerId} onChange={reload} />,
      }}
      columns={[
        {
          title: t('products.title'),
          render: (_, p) => (i18n.language === 'en' ? p.nameEn || p.nameZh : p.nameZh),
        },
        { title: t('products.price'), render: (_, p) => `${yuan(p.price.fen)} / ${p.unit}` },
        { title: t('products.stock'), dataIndex: 'stock' },
        { title: t('common.status'), render: (_, p) => <StatusTag status={p.status} /> },
        {
          title: t('products.logo'),
          render: (_, p) => (p.licensed ? <ReliefLogo licenceNumber={p.licenceNumber} /> : '–'),
        },
      ]}
    />
  );
}

function Lots({
  product,
  producerId,
  onChange,
}: {
  product: Product;
  producerId: string;
  onChange: () => void;
}) {
  const { t } = useTranslation();
  const [adding, setAdding] = useState(false);
  const { data, error, reload } = useLoad(
    () =>
      ok<{ items: Lot[] }>(api.GET('/api/v1/products/{id}/lots', { params: { path: { id: product.id } } })),
    [product.id],
  );
  const lots = data?.items ?? [];
  return (
    <Card
      size="small"
      title={<h3 style={{ margin: 0, fontSize: 14 }}>{t('console.lots')}</h3>}
      extra={
        product.stockSourceProductId ? null : (
          <Button type="primary" onClick={() => setAdding(true)}>
            {t('console.addLot')}
          </Button>
        )
      }
    >
      {error ? <Alert type="error" showIcon message={error.message} /> : null}
      <Table<Lot>
        rowKey="id"
        size="small"
        pagination={false}
        dataSource={lots}
        columns={[
          { title: t('console.lotCode'), dataIndex: 'lotCode' },
          { title: t('console.producedOn'), dataIndex: 'producedOn' },
          { title: t('common.quantity'), dataIndex: 'quantity' },
          { title: t('console.onHand'), dataIndex: 'onHand' },
          { title: t('console.suppliers'), render: (_, lot) => lot.suppliers.length },
        ]}
      />
      {adding ? (
        <AddLot
          product={product}
          producerId={producerId}
          onClose={() => setAdding(false)}
          onAdded={() => {
            setAdding(false);
            reload();
            onChange();
          }}
        />
      ) : null}
    </Card>
  );
}

function ToShip({ producerId }: { producerId: string }) {
  const { t, i18n } = useTranslation();
  const { data, error } = useLoad(
    () =>
      ok<CursorPage<Order>>(
        api.GET('/api/v1/orders', { params: { query: { status: 'paid', pageSize: 100 } } }),
      ),
    [producerId],
  );
  const all = useLoad(
    () => ok<CursorPage<Order>>(api.GET('/api/v1/orders', { params: { query: { pageSize: 50 } } })),
    [producerId],
  );
  if (error) {
    return <Alert type="error" showIcon message={t('common.error')} description={error.message} />;
  }
  if (!data) {
    return <Skeleton active />;
  }
  const lines = data.items.flatMap((order) =>
    order.lines
      .filter((l) => l.producerId === producerId && l.status === 'pending')
      .map((line) => ({ order, line })),
  );
  return (
    <Space direction="vertical" style={{ width: '100%' }} size="large">
      <Table
        rowKey={(row) => row.line.id}
        pagination={false}
        dataSource={lines}
        locale={{ emptyText: <span className="yg-muted">{t('common.none')}</span> }}
        columns={[
          {
            title: t('order.number'),
            render: (_, row) => <Link to={`/orders/${row.order.id}`}>{row.order.id.slice(0, 8)}</Link>,
          },
          { title: t('order.paidAt'), render: (_, row) => chinaDateTime(row.order.payment.paidAt) },
          {
            title: t('products.title'),
            render: (_, row) => (i18n.language === 'en' ? row.line.productNameEn : row.line.productNameZh),
          },
          { title: t('common.quantity'), render: (_, row) => `${row.line.quantity} ${row.line.unit}` },
          {
            title: '',
            render: (_, row) => <Link to={`/orders/${row.order.id}`}>{t('order.ship')}</Link>,
          },
        ]}
      />
      <Typography.Title level={2} style={{ fontSize: 18 }}>
        {t('order.list')}
      </Typography.Title>
      <OrderTable orders={all.data?.items ?? []} />
    </Space>
  );
}

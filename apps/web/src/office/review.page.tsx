import { Alert, App, Button, Card, Skeleton, Space, Table, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, ok } from '../api/client';
import type { Certificate, Page, Product, ProducerApplication, ReviewQueue } from '../api/views';
import { chinaDateTime, percent, yuan } from '../format.util';
import { officeWrites, useSession } from '../session';
import { ReasonModal, ValidityModal } from '../ui/decision-modals';
import { StatusTag } from '../ui/status-tag';
import { useLoad } from '../ui/use-load';
import { officerName } from './officers';
import './review.i18n';

type Open = { kind: 'certify'; product: Product } | { kind: 'revoke'; certificate: Certificate } | undefined;

/**
 * Certification (认定): producers waiting for review, products waiting for a certificate, and the
 * certificates issued. Officers verify, certify with a validity and revoke with a reason;
 * auditors see the same lists without a button.
 */
export default function ReviewPage() {
  const { t, i18n } = useTranslation();
  const { user } = useSession();
  const { message } = App.useApp();
  const writes = officeWrites(user?.role);
  const [open, setOpen] = useState<Open>();
  const [failure, setFailure] = useState<string>();
  const queue = useLoad(
    () => ok<ReviewQueue>(api.GET('/api/v1/review-queue', { params: { query: { limit: 100 } } })),
    [],
  );
  const certificates = useLoad(
    () =>
      ok<Page<Certificate>>(
        api.GET('/api/v1/certificates', { params: { query: { status: 'valid', pageSize: 100 } } }),
      ),
    [],
  );
  const words = { you: t('relief.runs.you'), officer: t('relief.runs.officer') };
  const reload = () => {
    queue.reload();
    certificates.reload();
  };
  const verify = async (producer: ProducerApplication) => {
    setFailure(undefined);
    try {
      await ok(
        api.PATCH('/api/v1/producers/{id}/status', {
          params: { path: { id: producer.id } },
          body: { status: 'verified' },
        }),
      );
      void message.success(t('review.queue.verified'));
      reload();
    } catch (error) {
      setFailure((error as Error).message);
    }
  };
  const error = queue.error ?? certificates.error;
  if (error) {
    return <Alert type="error" showIcon message={t('common.error')} description={error.message} />;
  }
  if (!queue.data || !certificates.data) {
    return <Skeleton active />;
  }
  const empty = { emptyText: <span className="yg-muted">{t('review.queue.empty')}</span> };
  return (
    <Space direction="vertical" size="large" style={{ width: '100%' }}>
      {failure ? <Alert type="error" showIcon message={failure} /> : null}
      <Card
        title={
          <h2 style={{ margin: 0, fontSize: 16 }}>
            {t('review.queue.producers')} ({queue.data.pendingProducers.total})
          </h2>
        }
      >
        <Table<ProducerApplication>
          rowKey="id"
          pagination={false}
          locale={empty}
          dataSource={queue.data.pendingProducers.items}
          columns={[
            { title: t('review.producer.legalName'), dataIndex: 'legalName' },
            {
              title: t('review.producer.kind'),
              render: (_, p) => t(`review.producer.kindOf.${p.kind}`, { defaultValue: p.kind }),
            },
            { title: t('review.producer.creditCode'), dataIndex: 'creditCode' },
            { title: t('review.producer.town'), render: (_, p) => `${p.town} ${p.village}` },
            { title: t('office.shareBps'), render: (_, p) => percent(p.householdShareBps) },
            {
              title: t('review.queue.documents'),
              render: (_, p) => (p.documents.length ? p.documents.join('、') : '–'),
            },
            { title: t('review.producer.appliedAt'), render: (_, p) => chinaDateTime(p.createdAt) },
            ...(writes
              ? [
                  {
                    title: '',
                    render: (_: unknown, p: ProducerApplication) => (
                      <Button type="primary" onClick={() => void verify(p)}>
                        {t('review.queue.verify')}
                      </Button>
                    ),
                  },
                ]
              : []),
          ]}
        />
      </Card>
      <Card
        title={
          <h2 style={{ margin: 0, fontSize: 16 }}>
            {t('review.queue.products')} ({queue.data.uncertifiedProducts.total})
          </h2>
        }
      >
        <Table<Product>
          rowKey="id"
          pagination={false}
          locale={empty}
          dataSource={queue.data.uncertifiedProducts.items}
          columns={[
            {
              title: t('review.queue.product'),
              render: (_, p) => (i18n.language === 'en' ? p.nameEn || p.nameZh : p.nameZh),
            },
            { title: t('review.queue.producer'), dataIndex: 'producerName' },
            { title: t('products.origin'), render: (_, p) => `${p.town} ${p.originVillage}` },
            { title: t('products.price'), render: (_, p) => `${yuan(p.price.fen)} / ${p.unit}` },
            { title: t('common.status'), render: (_, p) => <StatusTag status={p.status} /> },
            ...(writes
              ? [
                  {
                    title: '',
                    render: (_: unknown, p: Product) => (
                      <Button type="primary" onClick={() => setOpen({ kind: 'certify', product: p })}>
                        {t('review.queue.certify')}
                      </Button>
                    ),
                  },
                ]
              : []),
          ]}
        />
      </Card>
      <Card
        title={
          <h2 style={{ margin: 0, fontSize: 16 }}>
            {t('review.queue.certificates')} ({certificates.data.total})
          </h2>
        }
      >
        <Table<Certificate>
          rowKey="id"
          pagination={false}
          locale={empty}
          dataSource={certificates.data.items}
          columns={[
            { title: t('review.queue.number'), dataIndex: 'number' },
            { title: t('review.queue.product'), dataIndex: 'productNameZh' },
            { title: t('review.queue.producer'), dataIndex: 'producerName' },
            {
              title: t('review.licence.validity'),
              render: (_, c) => `${chinaDateTime(c.validFrom)} – ${chinaDateTime(c.validTo)}`,
            },
            { title: t('common.status'), render: (_, c) => <StatusTag status={c.status} /> },
            {
              title: t('review.queue.certifiedBy'),
              render: (_, c) => officerName(c.certifiedBy, user, words),
            },
            ...(writes
              ? [
                  {
                    title: '',
                    render: (_: unknown, c: Certificate) =>
                      c.status === 'valid' ? (
                        <Button danger onClick={() => setOpen({ kind: 'revoke', certificate: c })}>
                          {t('review.queue.revoke')}
                        </Button>
                      ) : null,
                  },
                ]
              : []),
          ]}
        />
      </Card>
      {open?.kind === 'certify' ? (
        <ValidityModal
          title={t('review.queue.certifyTitle', { name: open.product.nameZh })}
          action={t('review.queue.certify')}
          submit={(body) =>
            ok(
              api.POST('/api/v1/products/{id}/certificates', {
                params: { path: { id: open.product.id } },
                body,
              }),
            )
          }
          onClose={(done) => {
            setOpen(undefined);
            if (done) {
              void message.success(t('review.queue.certified'));
              reload();
            }
          }}
        >
          <Typography.Paragraph>{open.product.producerName}</Typography.Paragraph>
        </ValidityModal>
      ) : null}
      {open?.kind === 'revoke' ? (
        <ReasonModal
          title={t('review.queue.revokeTitle', { number: open.certificate.number })}
          action={t('review.queue.revoke')}
          submit={(reason) =>
            ok(
              api.POST('/api/v1/certificates/{id}/revoke', {
                params: { path: { id: open.certificate.id } },
                body: { reason },
              }),
            )
          }
          onClose={(done) => {
            setOpen(undefined);
            if (done) {
              void message.success(t('review.queue.revoked'));
              reload();
            }
          }}
        />
      ) : null}
    </Space>
  );
}

import { Alert, App, Button, Card, Select, Skeleton, Space, Statistic, Table, Timeline } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, ok } from '../api/client';
import type { LabelSignals, Licence, LicenceStatus, Page, Producer, Product } from '../api/views';
import { chinaDateTime } from '../format.util';
import { officeWrites, useSession } from '../session';
import { ReasonModal, ValidityModal } from '../ui/decision-modals';
import { StatusTag } from '../ui/status-tag';
import { useLoad } from '../ui/use-load';
import { commitment } from './licence.util';
import { officerName } from './officers';
import './review.i18n';

type Move = 'reject' | 'suspend' | 'reinstate' | 'revoke';
type Open = { kind: 'approve'; licence: Licence } | { kind: Move; licence: Licence } | undefined;

const STATUSES: LicenceStatus[] = ['approved', 'suspended', 'revoked', 'rejected', 'expired', 'pending'];

/** The names of the producers and products licences name (one product list per producer). */
async function namesFor(licences: Licence[]) {
  const producerIds = [...new Set(licences.map((l) => l.producerId))];
  const [producers, ...products] = await Promise.all([
    ok<Page<Producer>>(api.GET('/api/v1/producers', { params: { query: { pageSize: 100 } } })),
    ...producerIds.map((producerId) =>
      ok<Page<Product>>(
        api.GET('/api/v1/products', {
          params: { query: { producerId, includeUnlisted: true, pageSize: 100 } },
        }),
      ),
    ),
  ]);
  return {
    producer: new Map(producers.items.map((p) => [p.id, p.legalName])),
    product: new Map(products.flatMap((page) => page.items.map((p) => [p.id, p] as const))),
  };
}

/**
 * LOGO licences: applications waiting for review (approve with a validity, reject with a reason)
 * and every licence (suspend, reinstate, revoke with a reason). Auditors read only.
 */
export default function LicencesPage() {
  const { t, i18n } = useTranslation();
  const { user } = useSession();
  const { message } = App.useApp();
  const writes = officeWrites(user?.role);
  const [status, setStatus] = useState<LicenceStatus | undefined>();
  const [open, setOpen] = useState<Open>();
  const queue = useLoad(async () => {
    const page = await ok<Page<Licence>>(
      api.GET('/api/v1/licences/review-queue', { params: { query: { pageSize: 100 } } }),
    );
    return { page, names: await namesFor(page.items) };
  }, []);
  const all = useLoad(async () => {
    const page = await ok<Page<Licence>>(
      api.GET('/api/v1/licences', { params: { query: { pageSize: 100, status } } }),
    );
    return { page, names: await namesFor(page.items) };
  }, [status]);
  const words = { you: t('relief.runs.you'), officer: t('relief.runs.officer') };
  const error = queue.error ?? all.error;
  if (error) {
    return <Alert type="error" showIcon message={t('common.error')} description={error.message} />;
  }
  if (!queue.data || !all.data) {
    return <Skeleton active />;
  }
  const en = i18n.language === 'en';
  const columns = (names: Awaited<ReturnType<typeof namesFor>>, actions: (l: Licence) => React.ReactNode) => [
    { title: t('review.licence.number'), render: (_: unknown, l: Licence) => l.number ?? '–' },
    {
      title: t('review.licence.producer'),
      render: (_: unknown, l: Licence) => names.producer.get(l.producerId) ?? l.producerId.slice(0, 8),
    },
    {
      title: t('review.licence.products'),
      render: (_: unknown, l: Licence) =>
        l.productIds
          .map((id) => {
            const p = names.product.get(id);
            return p ? (en ? p.nameEn || p.nameZh : p.nameZh) : id.slice(0, 8);
          })
          .join('、'),
    },
    { title: t('review.licence.commitment'), render: (_: unknown, l: Licence) => commitment(l, t) },
    {
      title: t('review.licence.validity'),
      render: (_: unknown, l: Licence) =>
        l.validFrom ? `${chinaDateTime(l.validFrom)} – ${chinaDateTime(l.validTo)}` : '–',
    },
    { title: t('common.status'), render: (_: unknown, l: Licence) => <StatusTag status={l.status} /> },
    ...(writes ? [{ title: '', render: (_: unknown, l: Licence) => actions(l) }] : []),
  ];
  const history = (l: Licence) => (
    <Timeline
      items={l.history.map((step) => ({
        children: (
          <span>
            {chinaDateTime(step.at)} · {step.from ? `${t(`status.${step.from}`)} → ` : ''}
            {t(`status.${step.to}`)} · {officerName(step.by, user, words)}
            {step.reason ? ` · ${step.reason}` : ''}
          </span>
        ),
      }))}
    />
  );
  const reload = () => {
    queue.reload();
    all.reload();
  };
  const close = (done: boolean) => {
    setOpen(undefined);
    if (done) {
      void message.success(t('review.licence.decided'));
      reload();
    }
  };
  return (
    <Space direction="vertical" size="large" style={{ width: '100%' }}>
      <Card
        title={
          <h2 style={{ margin: 0, fontSize: 16 }}>
            {t('review.licence.queue')} ({queue.data.page.total})
          </h2>
        }
      >
        <Table<Licence>
          rowKey="id"
          pagination={false}
          locale={{ emptyText: <span className="yg-muted">{t('review.queue.empty')}</span> }}
          dataSource={queue.data.page.items}
          expandable={{
            expandedRowRender: (l) => (
              <p>
                {t('review.licence.note')}: {l.note || '–'} · {chinaDateTime(l.createdAt)}
              </p>
            ),
          }}
          columns={columns(queue.data.names, (l) => (
            <Space>
              <Button type="primary" onClick={() => setOpen({ kind: 'approve', licence: l })}>
                {t('review.licence.approve')}
              </Button>
              <Button danger onClick={() => setOpen({ kind: 'reject', licence: l })}>
                {t('review.licence.reject')}
              </Button>
            </Space>
          ))}
        />
      </Card>
      <Card
        title={<h2 style={{ margin: 0, fontSize: 16 }}>{t('review.licence.all')}</h2>}
        extra={
          <Select<LicenceStatus | undefined>
            aria-label={t('common.status')}
            allowClear
            placeholder={t('common.all')}
            value={status}
            onChange={setStatus}
            style={{ width: 140 }}
            options={STATUSES.map((s) => ({ value: s, label: t(`status.${s}`) }))}
          />
        }
      >
        <Table<Licence>
          rowKey="id"
          pagination={{ pageSize: 20 }}
          locale={{ emptyText: <span className="yg-muted">{t('review.licence.none')}</span> }}
          dataSource={all.data.page.items}
          expandable={{ expandedRowRender: history }}
          columns={columns(all.data.names, (l) => (
            <Space>
              {l.status === 'approved' ? (
                <Button onClick={() => setOpen({ kind: 'suspend', licence: l })}>
                  {t('review.licence.suspend')}
                </Button>
              ) : null}
              {l.status === 'suspended' ? (
                <Button onClick={() => setOpen({ kind: 'reinstate', licence: l })}>
                  {t('review.licence.reinstate')}
                </Button>
              ) : null}
              {l.status === 'approved' || l.status === 'suspended' ? (
                <Button danger onClick={() => setOpen({ kind: 'revoke', licence: l })}>
                  {t('review.licence.revoke')}
                </Button>
              ) : null}
            </Space>
          ))}
        />
      </Card>
      <Signals />
      {open?.kind === 'approve' ? (
        <ValidityModal
          title={t('review.licence.approveTitle')}
          action={t('review.licence.approve')}
          submit={(body) =>
            ok(api.POST('/api/v1/licences/{id}/approve', { params: { path: { id: open.licence.id } }, body }))
          }
          onClose={close}
        >
          <p>
            {queue.data.names.producer.get(open.licence.producerId)} · {commitment(open.licence, t)}
          </p>
        </ValidityModal>
      ) : open ? (
        <ReasonModal
          title={t('review.licence.decideTitle', {
            action: t(`review.licence.${open.kind}`),
            number: open.licence.number ?? '',
          })}
          action={t(`review.licence.${open.kind}`)}
          submit={(reason) => move(open.kind, open.licence.id, reason)}
          onClose={close}
        />
      ) : null}
    </Space>
  );
}

/**
 * Counterfeit signals: forged and never-issued codes scanned, labels scanned too often or from too
 * many places, revoked licences'.
 */
function Signals() {
  const { t } = useTranslation();
  const { data, error } = useLoad(() => ok<LabelSignals>(api.GET('/api/v1/labels/signals', {})), []);
  return (
    <Card title={<h2 style={{ margin: 0, fontSize: 16 }}>{t('review.signals.title')}</h2>}>
      {error ? <Alert type="error" showIcon message={error.message} /> : null}
      {!data ? (
        error ? null : (
          <Skeleton active />
        )
      ) : (
        <Space direction="vertical" style={{ width: '100%' }} data-testid="label-signals">
          <Space size="large" wrap>
            <Statistic title={t('review.signals.forged')} value={Number(data.forgedScans)} />
            <Statistic title={t('review.signals.unknown')} value={Number(data.unknownScans)} />
          </Space>
          <p className="yg-muted">{t('review.signals.note')}</p>
          <h3 style={{ fontSize: 14, margin: 0 }}>
            {t('review.signals.overScanned', { threshold: data.overScanThreshold })}
          </h3>
          <Table
            rowKey="code"
            size="small"
            pagination={false}
            dataSource={data.overScanned}
            locale={{ emptyText: <span className="yg-muted">{t('common.none')}</span> }}
            columns={[
              { title: t('review.signals.code'), dataIndex: 'code' },
              { title: t('review.signals.scans'), dataIndex: 'scans' },
            ]}
          />
          <h3 style={{ fontSize: 14, margin: 0 }}>
            {t('review.signals.overPlaced', { threshold: data.overPlaceThreshold })}
          </h3>
          <div data-testid="label-signals-over-placed">
            <Table
              rowKey="code"
              size="small"
              pagination={false}
              dataSource={data.overPlaced}
              locale={{ emptyText: <span className="yg-muted">{t('common.none')}</span> }}
              columns={[
                { title: t('review.signals.code'), dataIndex: 'code' },
                { title: t('review.signals.places'), dataIndex: 'places' },
                { title: t('review.signals.scans'), dataIndex: 'scans' },
              ]}
            />
          </div>
          <h3 style={{ fontSize: 14, margin: 0 }}>{t('review.signals.revoked')}</h3>
          <Table
            rowKey="licenceId"
            size="small"
            pagination={false}
            dataSource={data.revoked}
            locale={{ emptyText: <span className="yg-muted">{t('common.none')}</span> }}
            columns={[
              { title: t('review.signals.licence'), dataIndex: 'licenceNumber' },
              { title: t('review.signals.scans'), dataIndex: 'scans' },
            ]}
          />
        </Space>
      )}
    </Card>
  );
}

/** Rejects, suspends, reinstates or revokes a licence with a reason. */
function move(kind: Move, id: string, reason: string) {
  const request = { params: { path: { id } }, body: { reason } };
  switch (kind) {
    case 'reject':
      return ok(api.POST('/api/v1/licences/{id}/reject', request));
    case 'suspend':
      return ok(api.POST('/api/v1/licences/{id}/suspend', request));
    case 'reinstate':
      return ok(api.POST('/api/v1/licences/{id}/reinstate', request));
    case 'revoke':
      return ok(api.POST('/api/v1/licences/{id}/revoke', request));
  }
}

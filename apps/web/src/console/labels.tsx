import { Alert, App, Button, Card, Form, InputNumber, List, Select, Skeleton, Space } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, freshAccessToken, ok, tracer } from '../api/client';
import type { LabelBatch, Lot, Page, Product } from '../api/views';
import { chinaDateTime } from '../format.util';
import { filenameOf } from '../office/csv-download';
import { showApiError } from '../ui/api-errors';
import { useLoad } from '../ui/use-load';
import '../office/review.i18n';

interface Fields {
  productId: string;
  lotId: string;
  quantity: number;
}

/** Saves a page of a batch's printable sheet (SVG, 24 QR codes of the verify page). */
async function downloadSheet(batch: LabelBatch, page: number): Promise<void> {
  const token = await freshAccessToken();
  const response = await tracer.around('GET', '/api/v1/label-batches/{id}/sheet.svg', (traceparent) =>
    fetch(`/api/v1/label-batches/${batch.id}/sheet.svg?page=${page}`, {
      headers: token ? { authorization: `Bearer ${token}`, traceparent } : { traceparent },
    }),
  );
  if (!response.ok) {
    throw new Error(`${response.status} ${response.statusText}`);
  }
  const url = URL.createObjectURL(await response.blob());
  const link = document.createElement('a');
  link.href = url;
  link.download = filenameOf(response, `labels-${batch.lotCode}-${page}.svg`);
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/**
 * Label codes for a lot of a product a live licence covers: the batch ordered, then its sheet
 * downloaded page by page to print.
 */
export function ConsoleLabels({ producerId }: { producerId: string }) {
  const { t, i18n } = useTranslation();
  const { message } = App.useApp();
  const [form] = Form.useForm<Fields>();
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<string>();
  const [batches, setBatches] = useState<LabelBatch[]>([]);
  const productId = Form.useWatch('productId', form);
  const products = useLoad(
    () =>
      ok<Page<Product>>(
        api.GET('/api/v1/products', {
          params: { query: { producerId, includeUnlisted: true, pageSize: 100 } },
        }),
      ),
    [producerId],
  );
  const lots = useLoad(
    () =>
      productId
        ? ok<{ items: Lot[] }>(api.GET('/api/v1/products/{id}/lots', { params: { path: { id: productId } } }))
        : Promise.resolve({ items: [] as Lot[] }),
    [productId],
  );
  if (products.error) {
    return <Alert type="error" showIcon message={t('common.error')} description={products.error.message} />;
  }
  if (!products.data) {
    return <Skeleton active />;
  }
  const licensed = products.data.items.filter((p) => p.licensed);
  const name = (p: Product) => (i18n.language === 'en' ? p.nameEn || p.nameZh : p.nameZh);
  const order = async (fields: Fields) => {
    setBusy(true);
    setFailure(undefined);
    try {
      const batch = await ok<LabelBatch>(api.POST('/api/v1/label-batches', { body: fields }));
      setBatches((shown) => [batch, ...shown]);
      void message.success(t('review.labels.ordered', { quantity: batch.quantity, lot: batch.lotCode }));
    } catch (error) {
      setFailure(showApiError(form, error));
    } finally {
      setBusy(false);
    }
  };
  const download = (batch: LabelBatch, page: number) =>
    void downloadSheet(batch, page).catch((error: Error) => setFailure(error.message));
  return (
    <Space direction="vertical" size="large" style={{ width: '100%' }}>
      <Card title={<h2 style={{ margin: 0, fontSize: 16 }}>{t('review.labels.order')}</h2>}>
        <p>{t('review.labels.lead')}</p>
        {licensed.length === 0 ? (
          <Alert type="info" showIcon message={t('review.labels.noLicensed')} />
        ) : (
          <>
            {failure ? <Alert type="error" showIcon message={failure} style={{ marginBottom: 12 }} /> : null}
            <Form<Fields>
              form={form}
              layout="vertical"
              style={{ maxWidth: 560 }}
              initialValues={{ quantity: 24 }}
              onFinish={(values) => void order(values)}
              onValuesChange={(changed: Partial<Fields>) => {
                if ('productId' in changed) {
                  form.setFieldValue('lotId', undefined);
                }
              }}
            >
              <Form.Item name="productId" label={t('review.labels.product')} rules={[{ required: true }]}>
                <Select
                  aria-label={t('review.labels.product')}
                  options={licensed.map((p) => ({
                    value: p.id,
                    label: `${name(p)} · ${p.licenceNumber ?? ''}`,
                  }))}
                />
              </Form.Item>
              <Form.Item name="lotId" label={t('review.labels.lot')} rules={[{ required: true }]}>
                <Select
                  aria-label={t('review.labels.lot')}
                  loading={lots.loading}
                  options={(lots.data?.items ?? []).map((l) => ({
                    value: l.id,
                    label: `${l.lotCode} · ${l.producedOn}`,
                  }))}
                />
              </Form.Item>
              <Form.Item name="quantity" label={t('review.labels.quantity')} rules={[{ required: true }]}>
                <InputNumber min={1} max={10000} precision={0} />
              </Form.Item>
              <Button type="primary" htmlType="submit" loading={busy}>
                {t('review.labels.order')}
              </Button>
            </Form>
          </>
        )}
      </Card>
      {batches.length > 0 ? (
        <Card title={<h2 style={{ margin: 0, fontSize: 16 }}>{t('review.labels.batches')}</h2>}>
          <List
            dataSource={batches}
            renderItem={(batch) => (
              <List.Item data-testid="label-batch">
                <Space direction="vertical">
                  <span>
                    {t('review.labels.ordered', { quantity: batch.quantity, lot: batch.lotCode })} ·{' '}
                    {batch.licenceNumber} · {chinaDateTime(batch.createdAt)}
                  </span>
                  <Space wrap>
                    {Array.from({ length: batch.pages }, (_, i) => (
                      <Button key={i} onClick={() => download(batch, i + 1)}>
                        {t('review.labels.download', { page: i + 1 })}
                      </Button>
                    ))}
                  </Space>
                </Space>
              </List.Item>
            )}
          />
        </Card>
      ) : null}
    </Space>
  );
}

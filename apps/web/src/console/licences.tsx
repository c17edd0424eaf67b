import { Alert, App, Button, Card, Form, Input, InputNumber, Select, Skeleton, Space, Table } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, ok } from '../api/client';
import type { Certificate, Licence, Page } from '../api/views';
import { chinaDateTime, fenOf } from '../format.util';
import { commitment } from '../office/licence.util';
import { showApiError } from '../ui/api-errors';
import { StatusTag } from '../ui/status-tag';
import { useLoad } from '../ui/use-load';
import '../office/review.i18n';

interface Fields {
  productIds: string[];
  commitmentBps?: number;
  minPerUnit?: string;
  note?: string;
}

/**
 * The producer's LOGO licences and its application for one: over some of its certified products,
 * committing basis points of revenue and/or a minimum per unit. The API's complaint about a
 * field shows under it.
 */
export function ConsoleLicences({ producerId }: { producerId: string }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [form] = Form.useForm<Fields>();
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<string>();
  const { data, error, reload } = useLoad(
    () =>
      Promise.all([
        ok<Page<Licence>>(api.GET('/api/v1/licences', { params: { query: { producerId, pageSize: 100 } } })),
        ok<Page<Certificate>>(
          api.GET('/api/v1/certificates', {
            params: { query: { producerId, status: 'valid', pageSize: 100 } },
          }),
        ),
      ]),
    [producerId],
  );
  if (error) {
    return <Alert type="error" showIcon message={t('common.error')} description={error.message} />;
  }
  if (!data) {
    return <Skeleton active />;
  }
  const [licences, certificates] = data;
  const nameOf = new Map(certificates.items.map((c) => [c.productId, c.productNameZh]));
  const submit = async ({ productIds, commitmentBps, minPerUnit, note }: Fields) => {
    const minPerUnitFen = minPerUnit ? fenOf(minPerUnit) : 0;
    if (minPerUnitFen === undefined) {
      form.setFields([{ name: 'minPerUnit', errors: [t('review.licence.minPerUnit')] }]);
      return;
    }
    setBusy(true);
    setFailure(undefined);
    try {
      await ok(
        api.POST('/api/v1/licences', {
          body: {
            producerId,
            productIds,
            commitmentBps: commitmentBps ?? 0,
            minPerUnitFen,
            note: note || undefined,
          },
        }),
      );
      void message.success(t('review.licence.applied'));
      form.resetFields();
      reload();
    } catch (failed) {
      setFailure(
        showApiError(form, failed, (field) =>
          field.startsWith('minPerUnit')
            ? 'minPerUnit'
            : field.startsWith('productIds')
              ? 'productIds'
              : field,
        ),
      );
    } finally {
      setBusy(false);
    }
  };
  return (
    <Space direction="vertical" size="large" style={{ width: '100%' }}>
      <Card title={<h2 style={{ margin: 0, fontSize: 16 }}>{t('review.licence.mine')}</h2>}>
        <Table<Licence>
          rowKey="id"
          pagination={false}
          dataSource={licences.items}
          locale={{ emptyText: <span className="yg-muted">{t('review.licence.none')}</span> }}
          columns={[
            { title: t('review.licence.number'), render: (_, l) => l.number ?? '–' },
            {
              title: t('review.licence.products'),
              render: (_, l) => l.productIds.map((id) => nameOf.get(id) ?? id.slice(0, 8)).join('、'),
            },
            { title: t('review.licence.commitment'), render: (_, l) => commitment(l, t) },
            {
              title: t('review.licence.validity'),
              render: (_, l) =>
                l.validFrom ? `${chinaDateTime(l.validFrom)} – ${chinaDateTime(l.validTo)}` : '–',
            },
            { title: t('common.status'), render: (_, l) => <StatusTag status={l.status} /> },
            {
              title: t('review.licence.reason'),
              render: (_, l) => l.history.filter((h) => h.reason).at(-1)?.reason ?? '',
            },
          ]}
        />
      </Card>
      <Card title={<h2 style={{ margin: 0, fontSize: 16 }}>{t('review.licence.apply')}</h2>}>
        <p>{t('review.licence.applyLead')}</p>
        {certificates.items.length === 0 ? (
          <Alert type="info" showIcon message={t('review.licence.noCertified')} />
        ) : (
          <>
            {failure ? <Alert type="error" showIcon message={failure} style={{ marginBottom: 12 }} /> : null}
            <Form<Fields>
              form={form}
              layout="vertical"
              style={{ maxWidth: 560 }}
              onFinish={(values) => void submit(values)}
              // Either part of the commitment answers a complaint about the other: clear them all.
              onValuesChange={() =>
                form.setFields(
                  form
                    .getFieldsError()
                    .filter((f) => f.errors.length > 0)
                    .map((f) => ({ name: f.name as ['note'], errors: [] })),
                )
              }
            >
              <Form.Item
                name="productIds"
                label={t('review.licence.products')}
                extra={t('review.licence.productsHelp')}
                rules={[{ required: true }]}
              >
                <Select
                  mode="multiple"
                  options={certificates.items.map((c) => ({
                    value: c.productId,
                    label: `${c.productNameZh} · ${c.number}`,
                  }))}
                  aria-label={t('review.licence.products')}
                />
              </Form.Item>
              <Form.Item name="commitmentBps" label={t('review.licence.bps')}>
                <InputNumber min={0} max={3000} precision={0} style={{ width: 160 }} />
              </Form.Item>
              <Form.Item name="minPerUnit" label={t('review.licence.minPerUnit')}>
                <Input inputMode="decimal" style={{ width: 160 }} />
              </Form.Item>
              <Form.Item name="note" label={t('review.licence.note')}>
                <Input.TextArea rows={2} maxLength={2000} />
              </Form.Item>
              <Button type="primary" htmlType="submit" loading={busy}>
                {t('common.submit')}
              </Button>
            </Form>
          </>
        )}
      </Card>
    </Space>
  );
}

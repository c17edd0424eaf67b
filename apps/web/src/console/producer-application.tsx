import { Alert, App, Button, Card, Form, Input, InputNumber, Select, Table } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, ok } from '../api/client';
import type { ProducerApplication } from '../api/views';
import { chinaDateTime, percent } from '../format.util';
import { showApiError } from '../ui/api-errors';
import { StatusTag } from '../ui/status-tag';
import '../office/review.i18n';

const KINDS = ['cooperative', 'leading_enterprise', 'family_farm', 'industry_base'] as const;

interface Fields {
  kind: (typeof KINDS)[number];
  legalName: string;
  creditCode: string;
  town: string;
  village?: string;
  householdShareBps: number;
  documents?: string;
}

/**
 * A producer's application (credit code, kind, town, documents as references): pending until an
 * officer verifies it. The API's complaint about a field shows under it.
 */
export function ApplyProducer({ onApplied }: { onApplied: () => void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [form] = Form.useForm<Fields>();
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<string>();
  const submit = async ({ documents, village, ...fields }: Fields) => {
    setBusy(true);
    setFailure(undefined);
    try {
      await ok(
        api.POST('/api/v1/producers', {
          body: {
            ...fields,
            village: village || undefined,
            documents: (documents ?? '')
              .split('\n')
              .map((d) => d.trim())
              .filter(Boolean),
          },
        }),
      );
      void message.success(t('review.producer.applied'));
      form.resetFields();
      onApplied();
    } catch (error) {
      setFailure(showApiError(form, error, (field) => field.split('.')[0]));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Card title={<h2 style={{ margin: 0, fontSize: 16 }}>{t('review.producer.apply')}</h2>}>
      <p>{t('review.producer.applyLead')}</p>
      {failure ? <Alert type="error" showIcon message={failure} style={{ marginBottom: 12 }} /> : null}
      <Form<Fields>
        form={form}
        layout="vertical"
        style={{ maxWidth: 560 }}
        initialValues={{ kind: 'cooperative', householdShareBps: 1000 }}
        onFinish={(values) => void submit(values)}
      >
        <Form.Item name="kind" label={t('review.producer.kind')} rules={[{ required: true }]}>
          <Select options={KINDS.map((k) => ({ value: k, label: t(`review.producer.kindOf.${k}`) }))} />
        </Form.Item>
        <Form.Item name="legalName" label={t('review.producer.legalName')} rules={[{ required: true }]}>
          <Input maxLength={200} />
        </Form.Item>
        <Form.Item name="creditCode" label={t('review.producer.creditCode')} rules={[{ required: true }]}>
          <Input maxLength={18} />
        </Form.Item>
        <Form.Item name="town" label={t('review.producer.town')} rules={[{ required: true }]}>
          <Input maxLength={50} />
        </Form.Item>
        <Form.Item name="village" label={t('review.producer.village')}>
          <Input maxLength={50} />
        </Form.Item>
        <Form.Item
          name="householdShareBps"
          label={t('review.producer.shareBps')}
          rules={[{ required: true }]}
        >
          <InputNumber min={0} max={10000} precision={0} />
        </Form.Item>
        <Form.Item name="documents" label={t('review.producer.documents')}>
          <Input.TextArea rows={3} />
        </Form.Item>
        <Button type="primary" htmlType="submit" loading={busy}>
          {t('common.submit')}
        </Button>
      </Form>
    </Card>
  );
}

/** The producers the staff member applied for or works for, with their review status. */
export function Applications({ producers }: { producers: ProducerApplication[] }) {
  const { t } = useTranslation();
  return (
    <Table<ProducerApplication>
      rowKey="id"
      pagination={false}
      dataSource={producers}
      columns={[
        { title: t('review.producer.legalName'), dataIndex: 'legalName' },
        {
          title: t('review.producer.kind'),
          render: (_, p) => t(`review.producer.kindOf.${p.kind}`, { defaultValue: p.kind }),
        },
        { title: t('review.producer.creditCode'), dataIndex: 'creditCode' },
        { title: t('review.producer.town'), render: (_, p) => `${p.town} ${p.village}` },
        { title: t('office.shareBps'), render: (_, p) => percent(p.householdShareBps) },
        { title: t('review.producer.appliedAt'), render: (_, p) => chinaDateTime(p.createdAt) },
        { title: t('common.status'), render: (_, p) => <StatusTag status={p.status} /> },
      ]}
    />
  );
}

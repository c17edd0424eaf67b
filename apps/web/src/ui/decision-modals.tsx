import { Alert, Button, Form, Input, Modal } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { showApiError } from './api-errors';

/** Today in China (UTC+8) as YYYY-MM-DD, `years` years on. */
export function chinaToday(years = 0): string {
  const now = new Date(Date.now() + 8 * 3_600_000);
  now.setUTCFullYear(now.getUTCFullYear() + years);
  return now.toISOString().slice(0, 10);
}

/**
 * A decision that needs a reason (reject, suspend, revoke…): the API's complaint about `reason`
 * shows under the field. `onClose(true)` once `submit` succeeded.
 */
export function ReasonModal({
  title,
  action,
  submit,
  onClose,
}: {
  title: string;
  action: string;
  submit: (reason: string) => Promise<unknown>;
  onClose: (done: boolean) => void;
}) {
  const { t } = useTranslation();
  const [form] = Form.useForm<{ reason: string }>();
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<string>();
  const send = async ({ reason }: { reason: string }) => {
    setBusy(true);
    setFailure(undefined);
    try {
      await submit(reason);
      onClose(true);
    } catch (error) {
      setFailure(showApiError(form, error));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Modal open title={title} onCancel={() => onClose(false)} footer={null}>
      {failure ? <Alert type="error" showIcon message={failure} style={{ marginBottom: 12 }} /> : null}
      <Form form={form} layout="vertical" onFinish={(values) => void send(values)}>
        <Form.Item name="reason" label={t('review.queue.reason')} rules={[{ required: true }]}>
          <Input.TextArea rows={3} maxLength={500} />
        </Form.Item>
        <Button type="primary" danger htmlType="submit" loading={busy}>
          {action}
        </Button>
      </Form>
    </Modal>
  );
}

/**
 * A decision that sets a validity (certify a product, approve a licence): from and until (days of
 * China's calendar, the end exclusive), the API's complaint shown under the field it names.
 */
export function ValidityModal({
  title,
  action,
  submit,
  onClose,
  children,
}: {
  title: string;
  action: string;
  submit: (validity: { validFrom: string; validTo: string }) => Promise<unknown>;
  onClose: (done: boolean) => void;
  children?: React.ReactNode;
}) {
  const { t } = useTranslation();
  const [form] = Form.useForm<{ validFrom: string; validTo: string }>();
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<string>();
  const send = async (values: { validFrom: string; validTo: string }) => {
    setBusy(true);
    setFailure(undefined);
    try {
      await submit(values);
      onClose(true);
    } catch (error) {
      setFailure(showApiError(form, error));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Modal open title={title} onCancel={() => onClose(false)} footer={null}>
      {children}
      {failure ? <Alert type="error" showIcon message={failure} style={{ marginBottom: 12 }} /> : null}
      <Form
        form={form}
        layout="vertical"
        initialValues={{ validFrom: chinaToday(), validTo: chinaToday(1) }}
        onFinish={(values) => void send(values)}
      >
        <Form.Item name="validFrom" label={t('review.queue.validFrom')} rules={[{ required: true }]}>
          <Input type="date" />
        </Form.Item>
        <Form.Item name="validTo" label={t('review.queue.validTo')} rules={[{ required: true }]}>
          <Input type="date" />
        </Form.Item>
        <Button type="primary" htmlType="submit" loading={busy}>
          {action}
        </Button>
      </Form>
    </Modal>
  );
}

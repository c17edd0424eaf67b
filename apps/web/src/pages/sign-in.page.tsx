import { Alert, Button, Card, Form, Input, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate, useSearchParams } from 'react-router';
import { ApiError } from '../api/client';
import { isBuyer, isOffice, useSession } from '../session';
import { showApiError } from '../ui/api-errors';

const DEMO = [
  'consumer@example.com',
  'institution@example.com',
  'yangguang@example.com',
  'officer@example.com',
  'auditor@example.com',
];

export default function SignInPage() {
  const { t } = useTranslation();
  const { signIn } = useSession();
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const [form] = Form.useForm<{ email: string; password: string }>();
  const [failure, setFailure] = useState<string>();
  const [busy, setBusy] = useState(false);
  const submit = async (values: { email: string; password: string }) => {
    setBusy(true);
    setFailure(undefined);
    try {
      const user = await signIn(values.email, values.password);
      const next = params.get('next');
      const home = isBuyer(user.role)
        ? '/products'
        : user.role === 'producer_staff'
          ? '/console'
          : isOffice(user.role)
            ? '/office'
            : '/';
      void navigate(next && next.startsWith('/') && !next.startsWith('/sign-in') ? next : home);
    } catch (error) {
      setFailure(
        error instanceof ApiError && error.status === 401 ? t('signIn.failed') : showApiError(form, error),
      );
    } finally {
      setBusy(false);
    }
  };
  return (
    <Card style={{ maxWidth: 420, margin: '0 auto' }}>
      <Typography.Title level={1} style={{ fontSize: 24 }}>
        {t('signIn.title')}
      </Typography.Title>
      {failure ? <Alert type="error" showIcon message={failure} style={{ marginBottom: 16 }} /> : null}
      <Form form={form} layout="vertical" onFinish={(values) => void submit(values)}>
        <Form.Item name="email" label={t('signIn.email')} rules={[{ required: true }]}>
          <Input autoComplete="username" />
        </Form.Item>
        <Form.Item name="password" label={t('signIn.password')} rules={[{ required: true }]}>
          <Input.Password autoComplete="current-password" />
        </Form.Item>
        <Button type="primary" htmlType="submit" loading={busy} block>
          {t('signIn.submit')}
        </Button>
      </Form>
      <Typography.Paragraph style={{ marginTop: 16 }} type="secondary">
        {t('signIn.demo')}: {DEMO.join(', ')}
      </Typography.Paragraph>
    </Card>
  );
}

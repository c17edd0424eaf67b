import { Alert, Button, Card, Checkbox, Descriptions, Form, Input, Progress, Table, Upload } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError, freshAccessToken, tracer } from '../api/client';
import type { ApiErrorBody, ImportReport } from '../api/views';
import { officeWrites, useSession } from '../session';
import { showApiError } from '../ui/api-errors';
import { uploadRegister } from './register-upload';

interface ImportForm {
  file?: unknown;
  purpose: string;
  dryRun: boolean;
  partial: boolean;
}

/**
 * Streams a register file to the import endpoint with upload progress and shows the report, every
 * rejected row by line, column and reason.
 */
async function upload(
  file: File,
  values: ImportForm,
  token: string,
  onProgress: (percent: number) => void,
): Promise<ImportReport> {
  const { status, body } = await uploadRegister(file, values, token, onProgress, tracer);
  if (status >= 200 && status < 300) {
    return body as ImportReport;
  }
  throw new ApiError(status, body as ApiErrorBody);
}

export default function ImportPage() {
  const { t } = useTranslation();
  const { user } = useSession();
  const [form] = Form.useForm<ImportForm>();
  const [file, setFile] = useState<File>();
  const [progress, setProgress] = useState<number>();
  const [report, setReport] = useState<ImportReport>();
  const [failure, setFailure] = useState<string>();
  if (!officeWrites(user?.role)) {
    return <Alert type="info" showIcon message={t('common.readOnly')} />;
  }
  const submit = async (values: ImportForm) => {
    if (!file) {
      form.setFields([{ name: 'file', errors: [t('office.importFile')] }]);
      return;
    }
    setReport(undefined);
    setFailure(undefined);
    setProgress(0);
    try {
      setReport(await upload(file, values, (await freshAccessToken()) ?? '', setProgress));
      setProgress(100);
    } catch (error) {
      setProgress(undefined);
      setFailure(showApiError(form, error));
    }
  };
  return (
    <>
      <Card>
        <Form<ImportForm>
          form={form}
          layout="vertical"
          initialValues={{ dryRun: false, partial: false }}
          onFinish={(values) => void submit(values)}
          style={{ maxWidth: 560 }}
        >
          <Form.Item name="file" label={t('office.importFile')}>
            <Upload
              accept=".csv,text/csv"
              maxCount={1}
              beforeUpload={(chosen) => {
                setFile(chosen);
                form.setFields([{ name: 'file', errors: [] }]);
                return false;
              }}
              onRemove={() => setFile(undefined)}
            >
              <Button>{t('office.importFile')}</Button>
            </Upload>
          </Form.Item>
          <Form.Item name="purpose" label={t('office.importPurpose')} rules={[{ required: true }]}>
            <Input />
          </Form.Item>
          <Form.Item name="dryRun" valuePropName="checked">
            <Checkbox>{t('office.dryRun')}</Checkbox>
          </Form.Item>
          <Form.Item name="partial" valuePropName="checked">
            <Checkbox>{t('office.partial')}</Checkbox>
          </Form.Item>
          <Button type="primary" htmlType="submit" disabled={progress !== undefined && progress < 100}>
            {t('office.upload')}
          </Button>
        </Form>
        {progress !== undefined ? (
          <Progress percent={Math.round(progress)} aria-label={t('office.upload')} />
        ) : null}
      </Card>
      {failure ? <Alert type="error" showIcon message={failure} style={{ marginTop: 16 }} /> : null}
      {report ? (
        <Card style={{ marginTop: 16 }} data-testid="import-report">
          <Alert
            type={report.committed ? 'success' : 'warning'}
            showIcon
            message={report.committed ? t('office.committed') : t('office.notCommitted')}
            style={{ marginBottom: 16 }}
          />
          <Descriptions size="small" column={4}>
            <Descriptions.Item label={t('office.rowsRead')}>{report.rowsRead}</Descriptions.Item>
            <Descriptions.Item label={t('office.created')}>{report.householdsCreated}</Descriptions.Item>
            <Descriptions.Item label={t('office.updated')}>{report.householdsUpdated}</Descriptions.Item>
            <Descriptions.Item label={t('office.agreements')}>{report.agreementsCreated}</Descriptions.Item>
          </Descriptions>
          {report.rejected.length > 0 ? (
            <Table
              rowKey={(row) => `${row.line}:${row.field}`}
              size="small"
              pagination={false}
              dataSource={report.rejected}
              columns={[
                { title: t('office.line'), dataIndex: 'line' },
                { title: t('office.column'), dataIndex: 'field' },
                { title: t('office.reason'), dataIndex: 'reason' },
              ]}
            />
          ) : null}
        </Card>
      ) : null}
    </>
  );
}

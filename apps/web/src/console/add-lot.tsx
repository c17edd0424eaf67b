import { MinusCircleOutlined, PlusOutlined } from '@ant-design/icons';
import { Alert, Button, Form, Input, InputNumber, Modal, Select, Space } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, ok } from '../api/client';
import type { Product } from '../api/views';
import { showApiError } from '../ui/api-errors';
import { useLoad } from '../ui/use-load';
import { supplierHouseholds } from './suppliers';

interface LotForm {
  lotCode: string;
  producedOn: string;
  quantity: number;
  suppliers: { householdId: string; quantity: number }[];
}

/** A new lot of `product`, with the households that supplied it picked from the producer's. */
export function AddLot({
  product,
  producerId,
  onClose,
  onAdded,
}: {
  product: Product;
  producerId: string;
  onClose: () => void;
  onAdded: () => void;
}) {
  const { t } = useTranslation();
  const [form] = Form.useForm<LotForm>();
  const [failure, setFailure] = useState<string>();
  const [busy, setBusy] = useState(false);
  const households = useLoad(() => supplierHouseholds(producerId), [producerId]);
  const options = (households.data ?? []).map((h) => ({
    value: h.id,
    label: `${h.headName} · ${h.archiveNumber} · ${h.villageNameZh}`,
  }));
  const submit = async (values: LotForm) => {
    setBusy(true);
    setFailure(undefined);
    try {
      await ok(
        api.POST('/api/v1/products/{id}/lots', {
          params: { path: { id: product.id } },
          body: { ...values, suppliers: values.suppliers ?? [] },
        }),
      );
      onAdded();
    } catch (error) {
      setFailure(showApiError(form, error));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Modal
      open
      title={`${t('console.addLot')} · ${product.nameZh}`}
      onCancel={onClose}
      okText={t('common.save')}
      cancelText={t('common.cancel')}
      confirmLoading={busy}
      onOk={() => form.submit()}
      width={640}
    >
      {failure ? <Alert type="error" showIcon message={failure} style={{ marginBottom: 16 }} /> : null}
      <Form<LotForm>
        form={form}
        layout="vertical"
        initialValues={{ producedOn: new Date().toISOString().slice(0, 10), suppliers: [] }}
        onFinish={(values) => void submit(values)}
        // What the API said of the supplier list no longer holds once the list changes.
        onValuesChange={(changed: Partial<LotForm>) =>
          changed.suppliers !== undefined && form.setFields([{ name: 'suppliers', errors: [] }])
        }
      >
        <Form.Item name="lotCode" label={t('console.lotCode')} rules={[{ required: true }]}>
          <Input />
        </Form.Item>
        <Form.Item name="producedOn" label={t('console.producedOn')} rules={[{ required: true }]}>
          <Input type="date" />
        </Form.Item>
        <Form.Item name="quantity" label={t('common.quantity')} rules={[{ required: true }]}>
          <InputNumber min={1} style={{ width: 160 }} />
        </Form.Item>
        <Form.Item label={t('console.suppliers')} extra={t('console.supplierHelp')}>
          <Form.List name="suppliers">
            {(fields, { add, remove }, { errors }) => (
              <>
                {fields.map((field) => (
                  <Space key={field.key} align="baseline" style={{ display: 'flex' }}>
                    <Form.Item
                      name={[field.name, 'householdId']}
                      rules={[{ required: true }]}
                      style={{ width: 380 }}
                    >
                      <Select
                        aria-label={t('console.household')}
                        showSearch
                        optionFilterProp="label"
                        loading={households.loading}
                        options={options}
                        placeholder={t('console.household')}
                      />
                    </Form.Item>
                    <Form.Item name={[field.name, 'quantity']} rules={[{ required: true }]}>
                      <InputNumber
                        aria-label={t('common.quantity')}
                        min={1}
                        placeholder={t('common.quantity')}
                      />
                    </Form.Item>
                    <MinusCircleOutlined aria-label={t('cart.remove')} onClick={() => remove(field.name)} />
                  </Space>
                ))}
                <Button type="dashed" onClick={() => add()} icon={<PlusOutlined />}>
                  {t('console.addSupplier')}
                </Button>
                {/* What the API says of the suppliers as a whole (their quantities exceed the lot's). */}
                <Form.ErrorList errors={errors} />
              </>
            )}
          </Form.List>
        </Form.Item>
      </Form>
    </Modal>
  );
}

import { Alert, Card, Col, Row, Skeleton, Statistic, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { api, ok } from '../api/client';
import type { Money, ProducerBalance } from '../api/views';
import { yuan } from '../format.util';
import { useLoad } from '../ui/use-load';
import './balance.i18n';

/** The producer's account with the platform, from the ledger: what it is owed and what it owes. */
export function ConsoleBalance({ producerId }: { producerId: string }) {
  const { t } = useTranslation();
  const { data, error } = useLoad(
    () =>
      ok<ProducerBalance>(
        api.GET('/api/v1/producers/{id}/balance', { params: { path: { id: producerId } } }),
      ),
    [producerId],
  );
  if (error) {
    return <Alert type="error" showIcon message={t('common.error')} description={error.message} />;
  }
  if (!data) {
    return <Skeleton active />;
  }
  const figure = (key: string, money: Money) => (
    <Col xs={24} sm={12} lg={8} key={key}>
      <Card>
        <Statistic title={t(`balance.${key}`)} value={yuan(money.fen)} />
        <Typography.Text type="secondary">{t(`balance.${key}Note`)}</Typography.Text>
      </Card>
    </Col>
  );
  return (
    <Row gutter={[16, 16]}>
      {figure('payable', data.payable)}
      {figure('payableCredits', data.payableCredits)}
      {figure('payableDebits', data.payableDebits)}
      {figure('unallocatedShare', data.unallocatedShare)}
      {figure('commitmentOwed', data.commitmentOwed)}
    </Row>
  );
}

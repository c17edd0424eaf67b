import { Empty, Menu, Tag, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { Link, Outlet, useLocation } from 'react-router';
import { isOffice, officeWrites, useSession } from '../session';
import './relief.i18n';
import './reports.i18n';
import './review.i18n';

/** The relief office's dashboard: officers read and write, auditors only read. */
export default function OfficePage() {
  const { t } = useTranslation();
  const { user } = useSession();
  const location = useLocation();
  if (!isOffice(user?.role)) {
    return <Empty description={t('notFound')} />;
  }
  const pages = [
    ['/office', t('office.summary')],
    ['/office/households', t('office.households')],
    ['/office/import', t('office.import')],
    ['/office/producers', t('office.producers')],
    ['/office/review', t('review.nav.review')],
    ['/office/licences', t('review.nav.licences')],
    ['/office/payments', t('office.payments')],
    ['/office/reports', t('reports.nav.reports')],
    ['/office/ledger', t('reports.nav.ledger')],
    ['/office/flow', t('reports.nav.flow')],
    ['/office/lots', t('reports.nav.lots')],
    ['/office/runs', t('relief.nav.runs')],
    ['/office/payouts', t('review.nav.payouts')],
    ['/office/monitoring', t('relief.nav.monitoring')],
    ['/office/suspense', t('relief.nav.suspense')],
  ];
  // A run or a statement keeps its section's item selected.
  const here = location.pathname.replace(/\/$/, '');
  const selected = here.startsWith('/office/runs/')
    ? '/office/runs'
    : here.endsWith('/statement')
      ? '/office/households'
      : here;
  return (
    <>
      <Typography.Title level={1}>
        {t('office.title')} {officeWrites(user?.role) ? null : <Tag>{t('common.readOnly')}</Tag>}
      </Typography.Title>
      <nav aria-label={t('office.title')}>
        <Menu
          mode="horizontal"
          disabledOverflow
          selectedKeys={[selected]}
          items={pages.map(([key, label]) => ({ key, label: <Link to={key}>{label}</Link> }))}
          style={{ marginBottom: 16 }}
        />
      </nav>
      <Outlet />
    </>
  );
}

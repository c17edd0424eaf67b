import { lazy, Suspense } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { api, ok } from '../api/client';
import type { Page, Producer, Product, RegisterSummary } from '../api/views';
import { useLoad } from '../ui/use-load';

const Bars = lazy(() => import('../ui/bar-chart'));

/**
 * The public impact page: the register's public totals by town and the catalogue's; no person.
 * (Totals of money reaching households come with the ledger.)
 */
export default function ImpactPage() {
  const { t } = useTranslation();
  const { data, error } = useLoad(
    () =>
      Promise.all([
        ok<RegisterSummary>(api.GET('/api/v1/register/summary')),
        ok<Page<Product>>(api.GET('/api/v1/products', { params: { query: { pageSize: 1 } } })),
        ok<Page<Producer>>(
          api.GET('/api/v1/producers', { params: { query: { pageSize: 1, status: 'verified' } } }),
        ),
      ]),
    [],
  );
  if (error) {
    return <p className="yg-error">{error.message}</p>;
  }
  if (!data) {
    return <p>{t('common.loading')}</p>;
  }
  const [summary, products, producers] = data;
  const stats: [string, number][] = [
    [t('impact.households'), summary.households],
    [t('impact.people'), summary.people],
    [t('impact.poorVillages'), summary.registeredPoorVillages],
    [t('impact.linked'), summary.peopleLinked],
    [t('impact.products'), products.total],
    [t('impact.producers'), producers.total],
  ];
  return (
    <>
      <h1>{t('impact.title')}</h1>
      <p>{t('impact.lead')}</p>
      <div className="yg-stats">
        {stats.map(([title, value]) => (
          <dl className="yg-stat" key={title}>
            <dt>{title}</dt>
            <dd>{value.toLocaleString('zh-CN')}</dd>
          </dl>
        ))}
      </div>
      <section className="yg-panel">
        <h2>{t('impact.byTown')}</h2>
        <Suspense fallback={<p>{t('common.loading')}</p>}>
          <Bars
            label={t('impact.byTown')}
            categories={summary.towns.map((town) => town.nameZh)}
            series={[
              {
                name: t('impact.households'),
                values: summary.towns.map((town) => town.households),
                color: '#a8071a',
              },
              {
                name: t('impact.people'),
                values: summary.towns.map((town) => town.people),
                color: '#ad6800',
              },
            ]}
          />
        </Suspense>
      </section>
      <p className="yg-note">{t('impact.ledgerSoon')}</p>
      <Link
        to="/products"
        className="yg-button primary"
        style={{ display: 'inline-block', textDecoration: 'none' }}
      >
        {t('impact.shop')}
      </Link>
    </>
  );
}

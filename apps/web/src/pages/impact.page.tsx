import { Table } from 'antd';
import { lazy, Suspense } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { api, ok } from '../api/client';
import type { Page, Producer, Product, PublicSummary, RegisterSummary } from '../api/views';
import { yuan } from '../format.util';
import { useLoad } from '../ui/use-load';

const Bars = lazy(() => import('../ui/bar-chart'));

/**
 * The public impact page: the register's public totals by town, the catalogue's, and the ledger's
 * public summary of money reaching households and villages by town; no person.
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
        // The register's figures still show when the ledger does not answer.
        ok<PublicSummary>(api.GET('/api/v1/ledger/public-summary')).catch(() => null),
      ]),
    [],
  );
  if (error) {
    return <p className="yg-error">{error.message}</p>;
  }
  if (!data) {
    return <p>{t('common.loading')}</p>;
  }
  const [summary, products, producers, money] = data;
  const townName = (id: string) => summary.towns.find((town) => town.townId === id)?.nameZh ?? id.slice(0, 8);
  const moneyTowns = (money?.towns ?? []).map((town) => ({ ...town, name: townName(town.townId) }));
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
      <section className="yg-panel" data-testid="public-summary">
        <h2>{t('impact.ledgerTitle')}</h2>
        <p>{t('impact.ledgerLead')}</p>
        {moneyTowns.length === 0 ? (
          <p>{t('impact.ledgerEmpty')}</p>
        ) : (
          <>
            <Suspense fallback={<p>{t('common.loading')}</p>}>
              <Bars
                label={t('impact.ledgerTitle')}
                categories={moneyTowns.map((town) => town.name)}
                series={[
                  {
                    name: t('impact.householdIncome'),
                    values: moneyTowns.map((town) => town.householdAmount.fen / 100),
                    color: '#a8071a',
                  },
                  {
                    name: t('impact.collectiveIncome'),
                    values: moneyTowns.map((town) => town.collectiveAmount.fen / 100),
                    color: '#ad6800',
                  },
                ]}
              />
            </Suspense>
            <Table
              rowKey="townId"
              size="small"
              pagination={false}
              dataSource={moneyTowns}
              columns={[
                { title: t('impact.town'), dataIndex: 'name' },
                { title: t('impact.reachedHouseholds'), dataIndex: 'households' },
                {
                  title: t('impact.householdIncome'),
                  render: (_, town) => yuan(town.householdAmount.fen),
                },
                {
                  title: t('impact.collectiveIncome'),
                  render: (_, town) => yuan(town.collectiveAmount.fen),
                },
              ]}
            />
          </>
        )}
        {money ? (
          <p>
            {t('impact.reliefFund')}: <strong data-testid="relief-fund">{yuan(money.reliefFund.fen)}</strong>
          </p>
        ) : null}
        {money && money.townsWithheld > 0 ? (
          <p className="yg-note">{t('impact.townsWithheld', { count: money.townsWithheld })}</p>
        ) : null}
      </section>
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

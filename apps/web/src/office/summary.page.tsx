import { Alert, Card, Skeleton, Table } from 'antd';
import { lazy, Suspense } from 'react';
import { useTranslation } from 'react-i18next';
import { api, ok } from '../api/client';
import type { Page, RegisterSummary, Village } from '../api/views';
import { useLoad } from '../ui/use-load';

const Bars = lazy(() => import('../ui/bar-chart'));

type TownRow = RegisterSummary['towns'][number];

/** The register by town (households, people, villages) and, opened, each town's villages. */
export default function SummaryPage() {
  const { t } = useTranslation();
  const { data, error } = useLoad(() => ok<RegisterSummary>(api.GET('/api/v1/register/summary')), []);
  if (error) {
    return <Alert type="error" showIcon message={t('common.error')} description={error.message} />;
  }
  if (!data) {
    return <Skeleton active />;
  }
  return (
    <>
      <Card title={<h2 style={{ margin: 0, fontSize: 16 }}>{t('impact.byTown')}</h2>}>
        <Suspense fallback={<Skeleton active />}>
          <Bars
            label={t('impact.byTown')}
            categories={data.towns.map((town) => town.nameZh)}
            series={[
              {
                name: t('impact.households'),
                values: data.towns.map((town) => town.households),
                color: '#a8071a',
              },
              { name: t('impact.people'), values: data.towns.map((town) => town.people), color: '#ad6800' },
            ]}
          />
        </Suspense>
      </Card>
      <Table<TownRow>
        style={{ marginTop: 16 }}
        rowKey="townId"
        pagination={false}
        dataSource={data.towns}
        expandable={{ expandedRowRender: (town) => <Villages townId={town.townId} /> }}
        columns={[
          { title: t('office.town'), dataIndex: 'nameZh' },
          { title: t('impact.villages'), dataIndex: 'villages' },
          { title: t('impact.poorVillages'), dataIndex: 'registeredPoorVillages' },
          { title: t('impact.households'), dataIndex: 'households' },
          { title: t('impact.people'), dataIndex: 'people' },
        ]}
        summary={() => (
          <Table.Summary.Row>
            <Table.Summary.Cell index={0} colSpan={2}>
              {t('common.total')}
            </Table.Summary.Cell>
            <Table.Summary.Cell index={1}>{data.villages}</Table.Summary.Cell>
            <Table.Summary.Cell index={2}>{data.registeredPoorVillages}</Table.Summary.Cell>
            <Table.Summary.Cell index={3}>{data.households}</Table.Summary.Cell>
            <Table.Summary.Cell index={4}>{data.people}</Table.Summary.Cell>
          </Table.Summary.Row>
        )}
      />
    </>
  );
}

function Villages({ townId }: { townId: string }) {
  const { t } = useTranslation();
  const { data } = useLoad(
    () => ok<Page<Village>>(api.GET('/api/v1/villages', { params: { query: { townId, pageSize: 100 } } })),
    [townId],
  );
  return (
    <Table<Village>
      rowKey="id"
      size="small"
      pagination={false}
      loading={!data}
      dataSource={data?.items ?? []}
      columns={[
        { title: t('office.village'), dataIndex: 'nameZh' },
        { title: t('office.registeredPoor'), render: (_, v) => (v.registeredPoor ? '✓' : '') },
        { title: t('status.exited'), render: (_, v) => v.exitYear ?? '–' },
      ]}
    />
  );
}

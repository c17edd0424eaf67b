import { useTranslation } from 'react-i18next';
import { useParams } from 'react-router';
import { api, ApiError, ok } from '../api/client';
import { yuan } from '../format.util';
import { useLoad } from '../ui/use-load';

/** What the gateway answers for a genuine label (GET /api/v1/labels/:code); never a household. */
interface LabelVerification {
  valid: true;
  code: string;
  licence: { number: string; status: 'active' | 'suspended' | 'revoked' | 'expired' };
  product: { id: string; nameZh: string; nameEn: string };
  producer: { id: string; name: string };
  originVillage: string;
  lot: { id: string; code: string };
  impact: {
    households: number;
    villages: number;
    toHouseholds: { fen: number };
    toVillageCollectives: { fen: number };
  } | null;
  scans: number;
}

/**
 * The page a label's QR code opens (`/v/:code`): whether the label is genuine, its licence now,
 * the product, producer, village and lot, and what the lot's sales brought households so far.
 */
export default function VerifyPage() {
  const { t, i18n } = useTranslation();
  const { code = '' } = useParams();
  const { data, error } = useLoad(
    () =>
      ok<LabelVerification>(api.GET('/api/v1/labels/{code}', { params: { path: { code } } })).catch(
        (e: unknown) => {
          if (e instanceof ApiError && e.status === 404) {
            return null;
          }
          throw e;
        },
      ),
    [code],
  );
  if (error) {
    return <p className="yg-error">{error.message}</p>;
  }
  if (data === undefined) {
    return <p>{t('common.loading')}</p>;
  }
  if (data === null) {
    return (
      <section className="yg-panel" data-testid="label-forged">
        <h1>{t('verify.forgedTitle')}</h1>
        <p>{t('verify.forgedLead')}</p>
      </section>
    );
  }
  const genuine = data.licence.status === 'active';
  const name = i18n.language === 'en' && data.product.nameEn ? data.product.nameEn : data.product.nameZh;
  const rows: [string, string][] = [
    [t('verify.product'), name],
    [t('verify.producer'), data.producer.name],
    [t('verify.village'), data.originVillage || '—'],
    [t('verify.lot'), data.lot.code],
    [t('verify.licence'), `${data.licence.number} · ${t(`verify.status.${data.licence.status}`)}`],
    [t('verify.scans'), String(data.scans)],
  ];
  return (
    <>
      <h1 data-testid="label-result">{genuine ? t('verify.genuineTitle') : t('verify.notCoveredTitle')}</h1>
      <p>{genuine ? t('verify.genuineLead') : t(`verify.statusLead.${data.licence.status}`)}</p>
      <section className="yg-panel">
        <dl className="yg-facts" data-testid="label-facts">
          {rows.map(([label, value]) => (
            <div key={label}>
              <dt>{label}</dt>
              <dd>{value}</dd>
            </div>
          ))}
        </dl>
      </section>
      {data.impact && (
        <section className="yg-panel" data-testid="label-impact">
          <h2>{t('verify.impactTitle')}</h2>
          <div className="yg-stats">
            <dl className="yg-stat">
              <dt>{t('verify.toHouseholds')}</dt>
              <dd>{yuan(data.impact.toHouseholds.fen)}</dd>
            </dl>
            <dl className="yg-stat">
              <dt>{t('verify.households')}</dt>
              <dd>{data.impact.households}</dd>
            </dl>
            <dl className="yg-stat">
              <dt>{t('verify.toVillages')}</dt>
              <dd>{yuan(data.impact.toVillageCollectives.fen)}</dd>
            </dl>
          </div>
          <p>{t('verify.impactNote')}</p>
        </section>
      )}
    </>
  );
}

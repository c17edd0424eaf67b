import { useTranslation } from 'react-i18next';

/**
 * The relief LOGO, shown on a product only while a licence covers it (the API's `licensed`).
 * Plain elements: the storefront's list carries it in its first load.
 */
export function ReliefLogo({ licenceNumber }: { licenceNumber: string | null }) {
  const { t } = useTranslation();
  const title = t('products.logoTitle', { number: licenceNumber ?? '' });
  return (
    <span className="yg-logo" title={title} data-testid="relief-logo" data-licence={licenceNumber ?? ''}>
      <svg viewBox="0 0 16 16" width="16" height="16" aria-hidden="true" focusable="false">
        <circle cx="8" cy="8" r="7.5" fill="#a8071a" />
        <path d="M4.5 8.5 7 11l4.5-6" stroke="#fff" strokeWidth="1.8" fill="none" strokeLinecap="round" />
      </svg>
      <span>{t('products.logo')}</span>
    </span>
  );
}

/**
 * SQL true when the product aliased `alias` holds a valid certificate whose period contains now:
 * the read-time half of "sold only while certified". The expiry job is the other half: it marks
 * certificates past their end expired and invalidates the cached listings, with nobody acting.
 */
export function certifiedNowSql(alias: string): string {
  return `exists (select 1 from product_certificate c where c.product_id = ${alias}.id
    and c.status = 'valid' and c.valid_from <= now() and c.valid_to > now())`;
}

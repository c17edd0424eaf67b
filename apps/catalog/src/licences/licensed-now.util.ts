/**
 * SQL of the number of the LOGO licence covering the product aliased `alias` now, null when none:
 * the read-time half of "the LOGO only while a licence covers it". The other half is licensing
 * telling catalog at every move and expiry, which invalidates the cached listings.
 */
export function licenceNumberNowSql(alias: string): string {
  return `(select pl.licence_number from product_licence pl where pl.product_id = ${alias}.id
    and pl.valid_from <= now() and pl.valid_to > now())`;
}

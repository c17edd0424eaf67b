import { DomainError, FailedPrecondition, NotFound } from '@yugong/shared/errors';

/** A code that is not genuine (its tag does not verify) or was never issued: one answer for both. */
export class LabelNotFound extends NotFound {
  constructor() {
    super('label', 'code');
  }
}

export class LabelBatchNotFound extends NotFound {
  constructor(id: string) {
    super('labelBatch', id);
  }
}

/** Labels are ordered only for a product a live licence covers now. */
export class ProductNotLicensed extends FailedPrecondition {
  constructor() {
    super('PRODUCT_NOT_LICENSED', 'no licence covers this product now', [
      { field: 'productId', reason: 'is not covered by a licence now' },
    ]);
  }
}

/** The lot is not a lot of the product. */
export class LotNotOfProduct extends FailedPrecondition {
  constructor() {
    super('LOT_NOT_OF_PRODUCT', 'the lot is not a lot of this product', [
      { field: 'lotId', reason: 'is not a lot of this product' },
    ]);
  }
}

/** The sheet has fewer pages. */
export class SheetPageOutOfRange extends FailedPrecondition {
  constructor(pages: number) {
    super('SHEET_PAGE_OUT_OF_RANGE', `the sheet has ${pages} page(s)`, [
      { field: 'page', reason: `must be at most ${pages}` },
    ]);
  }
}

/** The font PDF sheets embed is not installed (LABEL_FONT_FILE): UNAVAILABLE, the SVG still works. */
export class SheetFontMissing extends DomainError {
  readonly kind = 'unavailable';

  constructor() {
    super(
      'LABEL_FONT_MISSING',
      'the Chinese font PDF sheets embed is not installed (LABEL_FONT_FILE); the SVG sheet works without it',
    );
  }
}

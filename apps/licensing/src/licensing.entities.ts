import { DeclarationPayment } from './declarations/declaration-payment.entity';
import { SalesDeclaration } from './declarations/sales-declaration.entity';
import { LabelBatch } from './labels/label-batch.entity';
import { LabelCode } from './labels/label-code.entity';
import { LabelScanBatch } from './labels/label-scan-batch.entity';
import { LabelScanPlace } from './labels/label-scan-place.entity';
import { LicenceProduct } from './licences/licence-product.entity';
import { LicenceStatusChange } from './licences/licence-status-change.entity';
import { Licence } from './licences/licence.entity';

/** Every entity the licensing service persists. */
export const LICENSING_ENTITIES = [
  Licence,
  LicenceProduct,
  LicenceStatusChange,
  LabelBatch,
  LabelCode,
  LabelScanPlace,
  LabelScanBatch,
  SalesDeclaration,
  DeclarationPayment,
];

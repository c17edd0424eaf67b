import { ProductLicence } from './licences/product-licence.entity';
import { ProductCertificate } from './certification/product-certificate.entity';
import { ProducerPayoutAccount } from './payouts/producer-payout-account.entity';
import { HouseholdShare } from './producers/household-share.entity';
import { Producer } from './producers/producer.entity';
import { ProducerStatusChange } from './producers/producer-status-change.entity';
import { Lot } from './products/lot.entity';
import { LotSupplier } from './products/lot-supplier.entity';
import { Product } from './products/product.entity';
import { StockHold } from './stock/stock-hold.entity';
import { StockRestock } from './stock/stock-restock.entity';

/** Every entity catalog persists. */
export const CATALOG_ENTITIES = [
  Producer,
  HouseholdShare,
  ProducerStatusChange,
  Product,
  Lot,
  LotSupplier,
  StockHold,
  StockRestock,
  ProductCertificate,
  ProductLicence,
  ProducerPayoutAccount,
];

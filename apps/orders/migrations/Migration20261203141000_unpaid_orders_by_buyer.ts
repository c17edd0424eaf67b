import { Migration } from '@mikro-orm/migrations';

// A checkout counts the buyer's unpaid orders twice (BuyerAllowanceRepository.usageOf, and
// orders_place under the buyer's lock). Without this index PostgreSQL reads them through
// customer_order_expiring, every buyer's unpaid orders filtered by buyer, or through
// customer_order_buyer, every order the buyer ever placed filtered by status: either grows with
// the platform (a sale's thousands of unpaid orders, a buyer's years of orders). This one holds the
// unpaid orders only, by buyer. Only this change: the generator would also drop and re-add check
// constraints it reads back in another spelling.
export class Migration20261203141000_unpaid_orders_by_buyer extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create index "customer_order_unpaid_by_buyer" on "customer_order" ("buyer_id", "expires_at") where status = 'pending_payment';`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(`drop index "customer_order_unpaid_by_buyer";`);
  }
}

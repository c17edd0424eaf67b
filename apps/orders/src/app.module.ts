import { MikroOrmModule } from '@mikro-orm/nestjs';
import { Module, type DynamicModule } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import { GrpcExceptionFilter } from '@yugong/shared/errors';
import { ASSERTION_VERIFIER, GrpcCallerGuard, serviceIdentity } from '@yugong/shared/grpc';
import { serviceLoggerParams } from '@yugong/shared/logging';
import { ormOptions } from '@yugong/shared/orm';
import type { Redis } from 'ioredis';
import { LoggerModule } from 'nestjs-pino';
import { migrations } from '../migrations';
import { BuyerAllowanceRepository } from './buyers/buyer-allowance.repository';
import { BUYER_LIMITS, BuyerLimitsService } from './buyers/buyer-limits.service';
import { CartService } from './cart/cart.service';
import { CartStore } from './cart/cart.store';
import { MemoryCartStore } from './cart/memory-cart.store';
import { RedisCartStore } from './cart/redis-cart.store';
import { CatalogClient } from './catalog/catalog.client';
import { LICENSING_CLIENT, type LicensingClient } from './licensing/licensing.client';
import type { OrdersConfig } from './config/orders.config';
import { OrdersGrpcController } from './orders.grpc.controller';
import { ORDERS_ENTITIES } from './orders.entities';
import { CheckoutLockStore } from './orders/checkout-lock.store';
import { FulfilmentService } from './orders/fulfilment.service';
import { MemoryCheckoutLockStore } from './orders/memory-checkout-lock.store';
import { OrderLifecycleService } from './orders/order-lifecycle.service';
import { DemoSalesSeed } from './seed/demo-sales.seed';
import { AUTO_COMPLETE_DAYS, ORDER_SWEEP_INTERVAL_MS, OrderSweeperJob } from './orders/order-sweeper.job';
import { CheckoutLookup } from './orders/checkout-lookup';
import { OrderPlacementWriter } from './orders/order-placement-writer';
import { OrderRepository } from './orders/order.repository';
import { ORDERS_SETTINGS, OrdersService } from './orders/orders.service';
import { RedisCheckoutLockStore } from './orders/redis-checkout-lock.store';
import { RefundRepository } from './orders/refund.repository';
import { OutboxRelayJob, RELAY_CONFIG } from './outbox/outbox-relay.job';
import { OutboxRepository } from './outbox/outbox.repository';
import { OutboxService } from './outbox/outbox.service';
import { PaymentEventRepository } from './payments/payment-event.repository';
import { STRIPE_PAYMENT_PROVIDER } from './payments/payment-provider';
import { PaymentReconcilerJob, RECONCILER_SETTINGS } from './payments/payment-reconciler.job';
import { PaymentEventBatchService } from './payments/payment-event-batch.service';
import { PaymentsService } from './payments/payments.service';
import { StripePaymentProvider } from './payments/stripe/stripe-payment.provider';

/**
 * The orders service: carts, checkout, orders and their events over gRPC, on its own database.
 * Carts and checkout locks live in Redis when there is one (`redis`), else in this process.
 */
@Module({})
export class AppModule {
  static forRoot(
    config: OrdersConfig,
    redis: Redis | undefined,
    catalog: CatalogClient,
    licensing: LicensingClient | null = null,
  ): DynamicModule {
    return {
      module: AppModule,
      imports: [
        LoggerModule.forRoot(serviceLoggerParams('orders', config.LOG_LEVEL)),
        MikroOrmModule.forRoot(
          ormOptions({
            url: config.DATABASE_URL,
            entities: ORDERS_ENTITIES,
            migrations,
            poolMax: config.DB_POOL_MAX,
            poolIdleMs: config.DB_POOL_IDLE_MS,
          }),
        ),
      ],
      controllers: [OrdersGrpcController],
      providers: [
        OrderRepository,
        OrderPlacementWriter,
        CheckoutLookup,
        RefundRepository,
        OutboxRepository,
        PaymentEventRepository,
        BuyerAllowanceRepository,
        BuyerLimitsService,
        {
          provide: BUYER_LIMITS,
          useValue: {
            maxUnpaidOrders: config.MAX_UNPAID_ORDERS_PER_BUYER,
            maxHeldUnits: config.MAX_HELD_UNITS_PER_BUYER,
          },
        },
        CartService,
        OrdersService,
        OutboxService,
        FulfilmentService,
        OrderLifecycleService,
        DemoSalesSeed,
        PaymentsService,
        PaymentEventBatchService,
        PaymentReconcilerJob,
        {
          provide: STRIPE_PAYMENT_PROVIDER,
          useValue: config.STRIPE_SECRET_KEY
            ? new StripePaymentProvider({
                secretKey: config.STRIPE_SECRET_KEY,
                apiBase: config.STRIPE_API_BASE,
                timeoutMs: config.STRIPE_TIMEOUT_MS,
                maxNetworkRetries: config.STRIPE_MAX_RETRIES,
              })
            : null,
        },
        {
          provide: RECONCILER_SETTINGS,
          useValue: { afterMs: config.RECONCILE_AFTER_MS, intervalMs: config.RECONCILE_INTERVAL_MS },
        },
        { provide: AUTO_COMPLETE_DAYS, useValue: config.AUTO_COMPLETE_DAYS },
        OutboxRelayJob,
        {
          provide: RELAY_CONFIG,
          useValue: {
            consumers: config.ORDER_EVENT_CONSUMERS,
            intervalMs: config.RELAY_INTERVAL_MS,
            deadlineMs: config.GRPC_DEADLINE_MS,
            signer: serviceIdentity('orders', config).signer,
          },
        },
        OrderSweeperJob,
        {
          provide: CartStore,
          useValue: redis
            ? new RedisCartStore(redis, config.CART_TTL_SECONDS)
            : new MemoryCartStore(config.CART_TTL_SECONDS),
        },
        {
          provide: CheckoutLockStore,
          useValue: redis ? new RedisCheckoutLockStore(redis) : new MemoryCheckoutLockStore(),
        },
        { provide: CatalogClient, useValue: catalog },
        { provide: LICENSING_CLIENT, useValue: licensing },
        { provide: ORDERS_SETTINGS, useValue: { holdTtlMs: config.HOLD_TTL_MS } },
        { provide: ORDER_SWEEP_INTERVAL_MS, useValue: config.SWEEP_INTERVAL_MS },
        { provide: ASSERTION_VERIFIER, useValue: serviceIdentity('orders', config).verifier },
        { provide: APP_GUARD, useClass: GrpcCallerGuard },
        { provide: APP_FILTER, useClass: GrpcExceptionFilter },
      ],
    };
  }
}

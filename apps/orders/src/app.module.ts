import { MikroOrmModule } from '@mikro-orm/nestjs';
import { Module, type DynamicModule } from '@nestjs/common';
import { APP_FILTER, APP_INTERCEPTOR } from '@nestjs/core';
import { GrpcExceptionFilter } from '@yugong/shared/errors';
import { GrpcContextInterceptor, SERVICE_TOKEN } from '@yugong/shared/grpc';
import { serviceLoggerParams } from '@yugong/shared/logging';
import { ormOptions } from '@yugong/shared/orm';
import type { Redis } from 'ioredis';
import { LoggerModule } from 'nestjs-pino';
import { migrations } from '../migrations';
import { CartService } from './cart/cart.service';
import { CartStore } from './cart/cart.store';
import { CatalogClient } from './catalog/catalog.client';
import type { OrdersConfig } from './config/orders.config';
import { OrdersGrpcController } from './orders.grpc.controller';
import { ORDERS_ENTITIES } from './orders.entities';
import { AUTO_COMPLETE_DAYS, ORDER_SWEEP_INTERVAL_MS, OrderSweeper } from './orders/order-sweeper';
import { ORDERS_REDIS, ORDERS_SETTINGS, OrdersService } from './orders/orders.service';
import { OutboxService } from './outbox/outbox.service';
import { OutboxRelayRunner, RELAY_CONFIG } from './outbox/outbox-relay.runner';
import { FulfilmentService } from './orders/fulfilment.service';
import { OrderLifecycle } from './orders/order-lifecycle';
import { PaymentReconciler, RECONCILER_SETTINGS } from './payments/payment-reconciler';
import { STRIPE_PAYMENT_PROVIDER } from './payments/payment-provider';
import { PaymentsService } from './payments/payments.service';
import { StripePaymentProvider } from './payments/stripe/stripe-payment.provider';

/** The orders service: carts, checkout, orders and their events over gRPC, on its own database. */
@Module({})
export class AppModule {
  static forRoot(config: OrdersConfig, redis: Redis, catalog: CatalogClient): DynamicModule {
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
          }),
        ),
      ],
      controllers: [OrdersGrpcController],
      providers: [
        CartService,
        OrdersService,
        OutboxService,
        FulfilmentService,
        OrderLifecycle,
        PaymentsService,
        PaymentReconciler,
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
        OutboxRelayRunner,
        {
          provide: RELAY_CONFIG,
          useValue: {
            consumers: config.ORDER_EVENT_CONSUMERS,
            intervalMs: config.RELAY_INTERVAL_MS,
            deadlineMs: config.GRPC_DEADLINE_MS,
            serviceToken: config.SERVICE_TOKEN,
          },
        },
        OrderSweeper,
        { provide: CartStore, useValue: new CartStore(redis, config.CART_TTL_SECONDS) },
        { provide: CatalogClient, useValue: catalog },
        { provide: ORDERS_REDIS, useValue: redis },
        { provide: ORDERS_SETTINGS, useValue: { holdTtlMs: config.HOLD_TTL_MS } },
        { provide: ORDER_SWEEP_INTERVAL_MS, useValue: config.SWEEP_INTERVAL_MS },
        { provide: SERVICE_TOKEN, useValue: config.SERVICE_TOKEN },
        { provide: APP_INTERCEPTOR, useClass: GrpcContextInterceptor },
        { provide: APP_FILTER, useClass: GrpcExceptionFilter },
      ],
    };
  }
}

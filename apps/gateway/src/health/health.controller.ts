import { Controller, Get, Inject, Logger, Res, ServiceUnavailableException } from '@nestjs/common';
import type { GrpcOptions } from '@nestjs/microservices';
import { ApiExcludeController } from '@nestjs/swagger';
import { SkipThrottle } from '@nestjs/throttler';
import {
  GRPCHealthIndicator,
  HealthCheckService,
  HealthIndicatorService,
  MikroOrmHealthIndicator,
  type HealthCheckResult,
} from '@nestjs/terminus';
import { beneficiaries, catalog, orders } from '@yugong/contracts';
import { Public } from '@yugong/shared/auth';
import type { FastifyReply } from 'fastify';
import type { Redis } from 'ioredis';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config/gateway.config';
import { REDIS } from '../common/redis.provider';
import { BeneficiariesClient } from '../beneficiaries/beneficiaries.client';
import { CatalogClient } from '../catalog/catalog.client';
import { OrdersClient } from '../orders/orders.client';
import type { ServiceClient } from '@yugong/shared/grpc';

type DependencyState = { status: 'up' | 'down' };

/**
 * What GET /readyz shows: each dependency up or down and nothing else, since the checks' own
 * messages (addresses, driver errors) are for the log, not for whoever can reach the port.
 */
export interface Readiness {
  status: 'ok' | 'error';
  /** The dependencies that are down, when any is. */
  error?: Record<string, DependencyState>;
  details: Record<string, DependencyState>;
}

/** Liveness and readiness; outside /api/v1 and never rate limited. */
@ApiExcludeController()
@SkipThrottle()
@Public()
@Controller()
export class HealthController {
  private readonly logger = new Logger(HealthController.name);
  /** The check running or last finished; `until` is set when it finishes. */
  private latest: { readiness: Promise<Readiness>; until: number } | undefined;

  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    private readonly db: MikroOrmHealthIndicator,
    private readonly grpc: GRPCHealthIndicator,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
    @Inject(REDIS) private readonly redis: Redis | null,
    private readonly catalogClient: CatalogClient,
    private readonly beneficiariesClient: BeneficiariesClient,
    private readonly ordersClient: OrdersClient,
  ) {}

  /** The process is alive. */
  @Get('healthz')
  liveness(): { status: 'ok' } {
    return { status: 'ok' };
  }

  /**
   * Ready for traffic: its database, Redis (when configured), catalog, beneficiaries and orders
   * answer, and its own channels to those three are not failing. Requests made while a check runs,
   * or within READINESS_CACHE_MS after it finished, share its answer.
   */
  @Get('readyz')
  async readiness(@Res({ passthrough: true }) reply: FastifyReply): Promise<Readiness> {
    if (!this.latest || Date.now() >= this.latest.until) {
      const latest = { readiness: this.check(), until: Number.POSITIVE_INFINITY };
      const finished = () => {
        latest.until = Date.now() + this.config.READINESS_CACHE_MS;
      };
      void latest.readiness.then(finished, finished);
      this.latest = latest;
    }
    const readiness = await this.latest.readiness;
    void reply.status(readiness.status === 'ok' ? 200 : 503);
    return readiness;
  }

  private async check(): Promise<Readiness> {
    let result: HealthCheckResult;
    try {
      result = await this.health.check([
        () => this.db.pingCheck('database', { timeout: 1_000 }),
        () => this.redisCheck(),
        ...this.services().map(([key, service, url, client]) => async () => {
          const health = await this.grpc.checkService<GrpcOptions>(key, service, { url, timeout: 1_000 });
          // The service answers its health check on a channel of its own; this process's calls
          // go over another, which may still be waiting out a reconnect back-off.
          return client.reachable()
            ? health
            : this.indicators.check(key).down({ message: 'our channel is not connected yet' });
        }),
      ]);
    } catch (error) {
      if (!(error instanceof ServiceUnavailableException)) {
        this.logger.error(error);
        return { status: 'error', details: {} };
      }
      result = error.getResponse() as HealthCheckResult;
    }
    const details = Object.fromEntries(
      Object.entries(result.details).map(([name, { status }]) => [name, { status: stateOf(status) }]),
    );
    const down = Object.entries(details).filter(([, state]) => state.status === 'down');
    if (down.length === 0) {
      return { status: 'ok', details };
    }
    this.logger.warn({ msg: 'not ready', failing: result.error });
    return { status: 'error', error: Object.fromEntries(down), details };
  }

  /**
   * Each gRPC dependency by its key here, the full name of its service and its address. The
   * indicator keeps one channel per service name, so each must ask for its own (with '' for all
   * three, every check went to the first address).
   */
  private services(): [key: string, service: string, url: string, client: ServiceClient<object>][] {
    return [
      [
        'catalog',
        `${catalog.YUGONG_CATALOG_V1_PACKAGE_NAME}.${catalog.CATALOG_SERVICE_NAME}`,
        this.config.CATALOG_GRPC_URL,
        this.catalogClient,
      ],
      [
        'beneficiaries',
        `${beneficiaries.YUGONG_BENEFICIARIES_V1_PACKAGE_NAME}.${beneficiaries.BENEFICIARIES_SERVICE_NAME}`,
        this.config.BENEFICIARIES_GRPC_URL,
        this.beneficiariesClient,
      ],
      [
        'orders',
        `${orders.YUGONG_ORDERS_V1_PACKAGE_NAME}.${orders.ORDERS_SERVICE_NAME}`,
        this.config.ORDERS_GRPC_URL,
        this.ordersClient,
      ],
    ];
  }

  private async redisCheck() {
    const indicator = this.indicators.check('redis');
    if (!this.redis) {
      return indicator.up();
    }
    try {
      await this.redis.ping();
      return indicator.up();
    } catch (error) {
      return indicator.down({ message: error instanceof Error ? error.message : 'unreachable' });
    }
  }
}

const stateOf = (status: string): DependencyState['status'] => (status === 'up' ? 'up' : 'down');

import { Controller, Get, Header, Inject } from '@nestjs/common';
import type { GrpcOptions } from '@nestjs/microservices';
import { ApiExcludeController } from '@nestjs/swagger';
import { SkipThrottle } from '@nestjs/throttler';
import {
  GRPCHealthIndicator,
  HealthCheck,
  HealthCheckService,
  HealthIndicatorService,
  MikroOrmHealthIndicator,
  type HealthCheckResult,
} from '@nestjs/terminus';
import { Public } from '@yugong/shared/auth';
import type { Redis } from 'ioredis';
import { register } from 'prom-client';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config/gateway.config';
import { REDIS } from '../common/redis.provider';

/** Liveness, readiness and Prometheus metrics; outside /api/v1 and never rate limited. */
@ApiExcludeController()
@SkipThrottle()
@Public()
@Controller()
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    private readonly db: MikroOrmHealthIndicator,
    private readonly grpc: GRPCHealthIndicator,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
    @Inject(REDIS) private readonly redis: Redis | null,
  ) {}

  /** The process is alive. */
  @Get('healthz')
  liveness(): { status: 'ok' } {
    return { status: 'ok' };
  }

  /** Ready for traffic: its database, Redis (when configured), catalog, beneficiaries and orders answer. */
  @Get('readyz')
  @HealthCheck()
  readiness(): Promise<HealthCheckResult> {
    return this.health.check([
      () => this.db.pingCheck('database', { timeout: 1_000 }),
      () => this.redisCheck(),
      () =>
        this.grpc.checkService<GrpcOptions>('catalog', '', {
          url: this.config.CATALOG_GRPC_URL,
          timeout: 1_000,
        }),
      () =>
        this.grpc.checkService<GrpcOptions>('beneficiaries', '', {
          url: this.config.BENEFICIARIES_GRPC_URL,
          timeout: 1_000,
        }),
      () =>
        this.grpc.checkService<GrpcOptions>('orders', '', {
          url: this.config.ORDERS_GRPC_URL,
          timeout: 1_000,
        }),
    ]);
  }

  @Get('metrics')
  @Header('content-type', register.contentType)
  metrics(): Promise<string> {
    return register.metrics();
  }

  private async redisCheck() {
    const indicator = this.indicators.check('redis');
    if (!this.redis) {
      return indicator.up({ mode: 'in-process' });
    }
    try {
      await this.redis.ping();
      return indicator.up();
    } catch (error) {
      return indicator.down({ message: error instanceof Error ? error.message : 'unreachable' });
    }
  }
}

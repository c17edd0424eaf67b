import { MikroOrmModule } from '@mikro-orm/nestjs';
import { MikroORM } from '@mikro-orm/postgresql';
import { Module, type DynamicModule } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import { GrpcExceptionFilter } from '@yugong/shared/errors';
import { ASSERTION_VERIFIER, GrpcCallerGuard, serviceIdentity } from '@yugong/shared/grpc';
import { serviceLoggerParams } from '@yugong/shared/logging';
import { ormOptions } from '@yugong/shared/orm';
import { LoggerModule } from 'nestjs-pino';
import { migrations } from '../migrations';
import { ChainSealerJob, SEAL_INTERVAL_MS } from './chain/chain-sealer.job';
import { ChainRepository } from './chain/chain.repository';
import { ChainService } from './chain/chain.service';
import { BeneficiariesClient } from './clients/beneficiaries.client';
import { CatalogClient } from './clients/catalog.client';
import { OrdersClient } from './clients/orders.client';
import type { LedgerConfig } from './config/ledger.config';
import { CATCH_UP_INTERVAL_MS, CatchUpJob } from './events/catch-up.job';
import { BALANCE_VACUUM_INTERVAL_MS, BalanceVacuumJob } from './journal/balance-vacuum.job';
import { PostingMonthsJob } from './journal/posting-months.job';
import { EventWriter } from './events/event-writer';
import { OrderEventsRepository } from './events/order-events.repository';
import { OrderEventsService } from './events/order-events.service';
import { SaleInputsService, SPLIT_SETTINGS } from './events/sale-inputs.service';
import { VillageDirectory } from './events/village-directory.service';
import { JournalRepository } from './journal/journal.repository';
import { JournalService } from './journal/journal.service';
import { LedgerGrpcController } from './ledger.grpc.controller';
import { LEDGER_ENTITIES } from './ledger.entities';
import { OrderEventsGrpcController } from './order-events.grpc.controller';
import { AuditRepository } from './audit/audit.repository';
import { AuditService } from './audit/audit.service';
import { LedgerReader } from './audit/ledger-reader';
import { AdjustmentsRepository } from './adjustments/adjustments.repository';
import { AdjustmentsService } from './adjustments/adjustments.service';
import { DistributionRepository } from './distribution/distribution.repository';
import { DistributionService } from './distribution/distribution.service';
import { PayoutsGrpcController } from './payouts/payouts.grpc.controller';
import { PayoutsRepository } from './payouts/payouts.repository';
import { PayoutsService } from './payouts/payouts.service';
import { CommitmentsRepository } from './commitments/commitments.repository';
import { CommitmentsService } from './commitments/commitments.service';
import { ReliefOfficeGrpcController } from './relief-office.grpc.controller';
import { StatementsRepository } from './statements/statements.repository';
import { StatementsService } from './statements/statements.service';
import { ReconciliationRepository } from './reconciliation/reconciliation.repository';
import { ReconciliationService } from './reconciliation/reconciliation.service';

/** The clients of the services the ledger calls, made at boot. */
export interface LedgerClients {
  orders: OrdersClient;
  catalog: CatalogClient;
  beneficiaries: BeneficiariesClient;
}

/** The ledger service: the journal, the hash chain, order events in, traces and reports out. */
@Module({})
export class AppModule {
  static forRoot(config: LedgerConfig, clients: LedgerClients): DynamicModule {
    return {
      module: AppModule,
      imports: [
        LoggerModule.forRoot(serviceLoggerParams('ledger', config.LOG_LEVEL)),
        MikroOrmModule.forRoot(
          ormOptions({
            url: config.DATABASE_URL,
            entities: LEDGER_ENTITIES,
            migrations,
            poolMax: config.DB_POOL_MAX,
            poolIdleMs: config.DB_POOL_IDLE_MS,
          }),
        ),
      ],
      controllers: [
        LedgerGrpcController,
        OrderEventsGrpcController,
        ReliefOfficeGrpcController,
        PayoutsGrpcController,
      ],
      providers: [
        JournalRepository,
        JournalService,
        PostingMonthsJob,
        BalanceVacuumJob,
        { provide: BALANCE_VACUUM_INTERVAL_MS, useValue: config.BALANCE_VACUUM_INTERVAL_MS },
        ChainRepository,
        ChainService,
        ChainSealerJob,
        { provide: SEAL_INTERVAL_MS, useValue: config.SEAL_INTERVAL_MS },
        OrderEventsRepository,
        EventWriter,
        OrderEventsService,
        SaleInputsService,
        VillageDirectory,
        { provide: SPLIT_SETTINGS, useValue: { cardFeeBps: config.CARD_FEE_BPS } },
        CatchUpJob,
        { provide: CATCH_UP_INTERVAL_MS, useValue: config.CATCH_UP_INTERVAL_MS },
        AuditRepository,
        AuditService,
        {
          provide: LedgerReader,
          inject: [MikroORM],
          useFactory: (orm: MikroORM) => LedgerReader.open(config, orm),
        },
        AdjustmentsRepository,
        AdjustmentsService,
        DistributionRepository,
        DistributionService,
        PayoutsRepository,
        PayoutsService,
        StatementsRepository,
        StatementsService,
        ReconciliationRepository,
        ReconciliationService,
        CommitmentsRepository,
        CommitmentsService,
        { provide: OrdersClient, useValue: clients.orders },
        { provide: CatalogClient, useValue: clients.catalog },
        { provide: BeneficiariesClient, useValue: clients.beneficiaries },
        { provide: ASSERTION_VERIFIER, useValue: serviceIdentity('ledger', config).verifier },
        { provide: APP_GUARD, useClass: GrpcCallerGuard },
        { provide: APP_FILTER, useClass: GrpcExceptionFilter },
      ],
    };
  }
}

import { Controller } from '@nestjs/common';
import { orders } from '@yugong/contracts';
import { Accepts, SERVICE } from '@yugong/shared/grpc';
import { OrderEventsService } from './events/order-events.service';

/** The ledger's side of `yugong.orders.v1.OrderEventsConsumerService`: orders' outbox relay pushes here. */
@Controller()
@orders.OrderEventsConsumerServiceControllerMethods()
export class OrderEventsGrpcController implements orders.OrderEventsConsumerServiceController {
  constructor(private readonly events: OrderEventsService) {}

  // Orders' outbox relay, acting for itself.
  @Accepts({ orders: SERVICE })
  async consumeOrderEvent(
    request: orders.ConsumeOrderEventRequest,
  ): Promise<orders.ConsumeOrderEventResponse> {
    return { applied: await this.events.apply(request.event) };
  }
}

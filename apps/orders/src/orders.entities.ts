import { BuyerAllowance } from './buyers/buyer-allowance.entity';
import { OutboxEvent } from './outbox/outbox-event.entity';
import { OrderLine } from './orders/order-line.entity';
import { Order } from './orders/order.entity';
import { Refund } from './orders/refund.entity';
import { PaymentEvent } from './payments/payment-event.entity';

/** Every entity orders persists. */
export const ORDERS_ENTITIES = [Order, OrderLine, Refund, OutboxEvent, PaymentEvent, BuyerAllowance];

export { type Fen, BPS_PER_WHOLE, MAX_PRICE_FEN, assertFen, addFen, multiplyFen, bpsOf } from './money.util';
export { splitByLargestRemainder } from './split.util';
export { formatYuan, parseYuan } from './yuan.util';

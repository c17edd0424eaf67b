import type { PackageDefinition } from '@grpc/proto-loader';
import { beneficiaries } from '@yugong/contracts';

const PACKAGE = beneficiaries.YUGONG_BENEFICIARIES_V1_PACKAGE_NAME;
const WIRE_VARINT = 0;
const WIRE_LENGTH_DELIMITED = 2;

interface FieldDescriptor {
  name: string;
  number: number;
  type: string;
  label: string;
}

interface ShareMessage {
  householdId: string;
  villageId: string;
  agreementId: string;
  kind: string;
  weight: number;
}

interface SharesResponseMessage {
  shares: ShareMessage[];
  totalWeight: number;
  villageShares?: unknown[];
  columns?: object;
}

const varintSize = (n: number): number =>
  n < 0x80 ? 1 : n < 0x4000 ? 2 : n < 0x200000 ? 3 : n < 0x10000000 ? 4 : 5;

function writeVarint(buf: Buffer, offset: number, n: number): number {
  let at = offset;
  while (n >= 0x80) {
    buf[at++] = (n & 0x7f) | 0x80;
    n >>>= 7;
  }
  buf[at++] = n;
  return at;
}

function fieldsOf(definition: PackageDefinition, message: string): Map<string, FieldDescriptor> | undefined {
  const type = (definition[`${PACKAGE}.${message}`] as { type?: { field?: FieldDescriptor[] } } | undefined)
    ?.type;
  return type?.field ? new Map(type.field.map((f) => [f.name, f])) : undefined;
}

/**
 * An encoder of GetBenefitSharesResponse for the answer's one hot shape (ids, kind, weight and
 * a total, no village collective share, all below 2^28; the tags one byte each): about five times faster than proto-loader's generic one on 1,000
 * shares, which costs more than the query itself. Field numbers and enum values are read from the
 * loaded contract, not written here. Returns undefined (the caller keeps the generic encoder) when
 * the contract is not the shape this encoder knows. Each message outside the fast shape (a
 * negative or huge number, an unknown kind) is handed to `fallback`.
 */
export function benefitSharesEncoder(
  definition: PackageDefinition,
  fallback: (value: unknown) => Buffer,
): ((value: unknown) => Buffer) | undefined {
  const share = fieldsOf(definition, 'BenefitShare');
  const response = fieldsOf(definition, 'GetBenefitSharesResponse');
  const kinds = (
    definition[`${PACKAGE}.AgreementKind`] as
      { type?: { value?: { name: string; number: number }[] } } | undefined
  )?.type?.value;
  const expect = (fields: Map<string, FieldDescriptor> | undefined, name: string, type: string) => {
    const f = fields?.get(name);
    return f && f.type === type && f.number < 16 ? f.number : undefined;
  };
  const household = expect(share, 'householdId', 'TYPE_STRING');
  const village = expect(share, 'villageId', 'TYPE_STRING');
  const agreement = expect(share, 'agreementId', 'TYPE_STRING');
  const kind = expect(share, 'kind', 'TYPE_ENUM');
  const weight = expect(share, 'weight', 'TYPE_INT32');
  const shares = expect(response, 'shares', 'TYPE_MESSAGE');
  const total = expect(response, 'totalWeight', 'TYPE_INT64');
  // Village collective shares are few and rare: an answer with any goes to the generic encoder.
  const villages = expect(response, 'villageShares', 'TYPE_MESSAGE');
  // A compact answer (columns) goes to the generic encoder, which writes columns fast enough.
  const columns = expect(response, 'columns', 'TYPE_MESSAGE');
  if (
    !kinds ||
    share?.size !== 5 ||
    response?.size !== 4 ||
    columns === undefined ||
    villages === undefined ||
    response.get('villageShares')?.label !== 'LABEL_REPEATED' ||
    response.get('shares')?.label !== 'LABEL_REPEATED' ||
    [household, village, agreement, kind, weight, shares, total].includes(undefined)
  ) {
    return undefined;
  }
  const kindNumber = new Map(kinds.map((k) => [k.name, k.number]));
  const tag = (field: number, wire: number) => (field << 3) | wire;
  const householdTag = tag(household!, WIRE_LENGTH_DELIMITED);
  const villageTag = tag(village!, WIRE_LENGTH_DELIMITED);
  const agreementTag = tag(agreement!, WIRE_LENGTH_DELIMITED);
  const kindTag = tag(kind!, WIRE_VARINT);
  const weightTag = tag(weight!, WIRE_VARINT);
  const sharesTag = tag(shares!, WIRE_LENGTH_DELIMITED);
  const totalTag = tag(total!, WIRE_VARINT);
  const LIMIT = 0x10000000;
  // The bytes of a shares array already written (a kept answer is sent as the same array).
  const written = new WeakMap<object, { totalWeight: unknown; bytes: Buffer }>();

  return (value: unknown): Buffer => {
    const message = value as SharesResponseMessage;
    if (message.columns) {
      // Kept answers come with the same columns object: written once.
      const known = written.get(message.columns);
      if (known && known.totalWeight === message.totalWeight && !message.villageShares?.length) {
        return known.bytes;
      }
      const bytes = fallback(value);
      if (!message.villageShares?.length) {
        written.set(message.columns, { totalWeight: message.totalWeight, bytes });
      }
      return bytes;
    }
    if ((message.villageShares?.length ?? 0) > 0) {
      return fallback(value);
    }
    const list = message.shares ?? [];
    const known = written.get(list);
    if (known && known.totalWeight === message.totalWeight) {
      return known.bytes;
    }
    const bytes = encode(message, list);
    if (bytes !== undefined) {
      written.set(list, { totalWeight: message.totalWeight, bytes });
      return bytes;
    }
    return fallback(value);
  };

  /** The bytes of `message` (no village shares), or undefined when it is outside the fast shape. */
  function encode(message: SharesResponseMessage, list: ShareMessage[]): Buffer | undefined {
    const n = list.length;
    // Pass 1: sizes. Every field given is written, zero or empty included, as protobufjs does.
    const sizes = new Int32Array(n * 4);
    const kindValues = new Int32Array(n);
    let size = 0;
    const totalWeight = message.totalWeight;
    const hasTotal = totalWeight !== undefined && totalWeight !== null;
    if (hasTotal && (!Number.isInteger(totalWeight) || totalWeight < 0 || totalWeight >= LIMIT)) {
      return undefined;
    }
    for (let i = 0; i < n; i++) {
      const s = list[i];
      const k = kindNumber.get(s.kind);
      const w = s.weight;
      if (
        k === undefined ||
        typeof s.householdId !== 'string' ||
        typeof s.villageId !== 'string' ||
        typeof s.agreementId !== 'string' ||
        !Number.isInteger(w) ||
        w < 0 ||
        w >= LIMIT
      ) {
        return undefined;
      }
      kindValues[i] = k;
      const h = Buffer.byteLength(s.householdId);
      const v = Buffer.byteLength(s.villageId);
      const a = Buffer.byteLength(s.agreementId);
      const body =
        3 + varintSize(h) + h + varintSize(v) + v + varintSize(a) + a + 2 + varintSize(k) + varintSize(w);
      sizes[i * 4] = h;
      sizes[i * 4 + 1] = v;
      sizes[i * 4 + 2] = a;
      sizes[i * 4 + 3] = body;
      size += 1 + varintSize(body) + body;
    }
    if (hasTotal) {
      size += 1 + varintSize(totalWeight);
    }
    // Pass 2: bytes, straight into one buffer.
    const buf = Buffer.allocUnsafe(size);
    let at = 0;
    for (let i = 0; i < n; i++) {
      const s = list[i];
      at = writeVarint(buf, writeVarint(buf, at, sharesTag), sizes[i * 4 + 3]);
      at = writeVarint(buf, writeVarint(buf, at, householdTag), sizes[i * 4]);
      at += buf.write(s.householdId, at);
      at = writeVarint(buf, writeVarint(buf, at, villageTag), sizes[i * 4 + 1]);
      at += buf.write(s.villageId, at);
      at = writeVarint(buf, writeVarint(buf, at, agreementTag), sizes[i * 4 + 2]);
      at += buf.write(s.agreementId, at);
      at = writeVarint(buf, writeVarint(buf, at, kindTag), kindValues[i]);
      at = writeVarint(buf, writeVarint(buf, at, weightTag), s.weight);
    }
    if (hasTotal) {
      at = writeVarint(buf, writeVarint(buf, at, totalTag), totalWeight);
    }
    return buf;
  }
}

/**
 * Swaps in {@link benefitSharesEncoder} for the GetBenefitShares answers of the server built from
 * `definition` (call it before the server is created from the definition); no change when the
 * contract is not the shape it knows.
 */
export function useFastBenefitSharesEncoder(definition: PackageDefinition): void {
  const method = (
    definition[`${PACKAGE}.${beneficiaries.BENEFICIARIES_SERVICE_NAME}`] as
      Record<string, { responseSerialize: (value: unknown) => Buffer }> | undefined
  )?.['GetBenefitShares'];
  if (!method) {
    return;
  }
  const encoder = benefitSharesEncoder(definition, method.responseSerialize);
  if (encoder) {
    method.responseSerialize = encoder;
  }
}

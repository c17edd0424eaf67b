import type { OnApplicationShutdown } from '@nestjs/common';
import type * as NodeCrypto from 'node:crypto';
import { availableParallelism } from 'node:os';
import type * as WorkerThreads from 'node:worker_threads';
import { Worker } from 'node:worker_threads';
import type { PiiCipher } from './pii-cipher';
import { piiSealer, type HouseholdPii, type SealedHouseholdPii } from './pii-sealer';

/** Below this many households a worker's round trip costs more than it saves: they are sealed in place. */
const IN_PLACE_BELOW = 64;
/** A worker idle this long ends (an isolate holds about 10 MB); the next import starts another. */
const IDLE_WORKER_MS = 60_000;

/** A request to a sealing worker, and its answer (an error names its kind only, never a value). */
interface SealRequest {
  seq: number;
  households: HouseholdPii;
}
type SealAnswer = { seq: number; sealed: SealedHouseholdPii } | { seq: number; error: string };

/**
 * A sealing worker's program: seals each request's households with {@link piiSealer} under the key
 * it was started with and answers in kind. Self-contained like piiSealer (it is run from its
 * source text, so that the build and the test runner start workers the same way).
 */
function sealWorkerMain(
  threads: typeof WorkerThreads,
  crypto: typeof NodeCrypto,
  makeSealer: typeof piiSealer,
): void {
  const port = threads.parentPort!;
  const { key, keyId } = threads.workerData as { key: NodeCrypto.KeyObject; keyId: string };
  const sealer = makeSealer(crypto, key, keyId);
  port.on('message', ({ seq, households }: SealRequest) => {
    let answer: SealAnswer;
    try {
      answer = { seq, sealed: sealer.sealHouseholds(households) };
    } catch (error) {
      // The kind only: a message may quote what it was given.
      answer = {
        seq,
        error: (error as { code?: string; name?: string }).code ?? String((error as Error).name),
      };
    }
    port.postMessage(answer);
  });
}

const SEAL_WORKER_PROGRAM = `(${sealWorkerMain.toString()})(require('node:worker_threads'), require('node:crypto'), ${piiSealer.toString()});`;

interface Waiting {
  resolve: (sealed: SealedHouseholdPii) => void;
  reject: (error: Error) => void;
}

interface SealWorker {
  worker: Worker;
  waiting: Map<number, Waiting>;
  /** Ends the worker once it has been idle {@link IDLE_WORKER_MS}. */
  idle?: NodeJS.Timeout;
}

/** Workers for a machine: the cores but one (the event loop's), at most two; none on one core. */
export function defaultSealWorkers(): number {
  return Math.max(0, Math.min(2, availableParallelism() - 1));
}

/**
 * Seals households' personal data in worker threads, so that an import's event loop goes on
 * (reading and checking the next rows, writing the batch before) while AES-GCM runs on another
 * core. The workers run the same {@link piiSealer} as {@link PiiCipher.encrypt} with the same key,
 * so their envelopes are the ones `encrypt` writes: a fresh random IV each, drawn from the
 * CSPRNG by the thread that uses it. Workers start on first use and end after a minute idle; a
 * worker that fails or exits rejects what it had in hand and is replaced on the next call.
 * {@link close} ends them all. With no workers, everything is sealed in place.
 */
export class PiiSealPool implements OnApplicationShutdown {
  private readonly workers: (SealWorker | undefined)[];
  private seq = 0;
  private turn = 0;
  private closed = false;

  /**
   * @param cipher - the register's cipher: its active key seals, and it seals small lists in place
   * @param size - worker threads (see {@link defaultSealWorkers}); 0 seals everything in place
   */
  constructor(
    private readonly cipher: PiiCipher,
    readonly size: number = defaultSealWorkers(),
  ) {
    this.workers = new Array<SealWorker | undefined>(Math.max(0, size)).fill(undefined);
  }

  /**
   * The households' envelopes, in their order, sealed by the workers (a large list split between
   * them); fewer than {@link IN_PLACE_BELOW} sealed in place. Rejects when a worker fails or the
   * pool closes meanwhile: the caller writes nothing of them.
   */
  async sealHouseholds(households: HouseholdPii): Promise<SealedHouseholdPii> {
    if (this.closed) {
      throw new Error('the personal-data sealing pool is closed');
    }
    const count = households.ids.length;
    if (count < IN_PLACE_BELOW || this.workers.length === 0) {
      return this.cipher.sealHouseholds(households);
    }
    const parts = Math.min(this.workers.length, Math.floor(count / IN_PLACE_BELOW));
    if (parts === 1) {
      return this.send(households);
    }
    const size = Math.ceil(count / parts);
    const sealed = await Promise.all(
      Array.from({ length: parts }, (_, p) => {
        const [from, to] = [p * size, Math.min(count, (p + 1) * size)];
        return this.send({
          ids: households.ids.slice(from, to),
          headNames: households.headNames.slice(from, to),
          nationalIds: households.nationalIds.slice(from, to),
          payoutAccounts: households.payoutAccounts.slice(from, to),
        });
      }),
    );
    return {
      headNameEnc: sealed.flatMap((s) => s.headNameEnc),
      nationalIdEnc: sealed.flatMap((s) => s.nationalIdEnc),
      payoutAccountEnc: sealed.flatMap((s) => s.payoutAccountEnc),
    };
  }

  /** Ends every worker; what they had in hand is rejected, and later calls are refused. */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(this.workers.map((w) => w?.worker.terminate()));
  }

  async onApplicationShutdown(): Promise<void> {
    await this.close();
  }

  private send(households: HouseholdPii): Promise<SealedHouseholdPii> {
    const index = this.turn++ % this.workers.length;
    const sealWorker = (this.workers[index] ??= this.start(index));
    const seq = ++this.seq;
    return new Promise<SealedHouseholdPii>((resolve, reject) => {
      if (sealWorker.waiting.size === 0) {
        clearTimeout(sealWorker.idle);
        sealWorker.worker.ref();
      }
      sealWorker.waiting.set(seq, { resolve, reject });
      sealWorker.worker.postMessage({ seq, households } satisfies SealRequest);
    });
  }

  private start(index: number): SealWorker {
    const { key, keyId } = this.cipher.activeSealingKey;
    const worker = new Worker(SEAL_WORKER_PROGRAM, { eval: true, workerData: { key, keyId } });
    const sealWorker: SealWorker = { worker, waiting: new Map() };
    // An idle worker is no reason for the process to stay up (it is ref'd while it has work).
    worker.unref();
    const fail = (error: Error) => {
      clearTimeout(sealWorker.idle);
      if (this.workers[index] === sealWorker) {
        this.workers[index] = undefined;
      }
      for (const waiting of sealWorker.waiting.values()) {
        waiting.reject(error);
      }
      sealWorker.waiting.clear();
    };
    worker.on('message', (answer: SealAnswer) => {
      const waiting = sealWorker.waiting.get(answer.seq);
      if (!waiting) {
        return;
      }
      sealWorker.waiting.delete(answer.seq);
      if (sealWorker.waiting.size === 0) {
        worker.unref();
        sealWorker.idle = setTimeout(() => {
          // Out of the pool first: a call from now on starts another worker, never this one.
          if (this.workers[index] === sealWorker) {
            this.workers[index] = undefined;
          }
          void worker.terminate();
        }, IDLE_WORKER_MS).unref();
      }
      if ('error' in answer) {
        waiting.reject(new Error(`sealing personal data failed in a worker (${answer.error})`));
      } else {
        waiting.resolve(answer.sealed);
      }
    });
    worker.on('error', (error) => fail(new Error(`a personal-data sealing worker failed (${error.name})`)));
    worker.on('exit', (code) =>
      fail(new Error(`a personal-data sealing worker stopped (exit code ${code})`)),
    );
    return sealWorker;
  }
}

import { context, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import pino from 'pino';
import { Writable } from 'node:stream';
import { PinoLogger } from 'nestjs-pino';
import { httpLoggerParams, pinoOptions, runAsService, setLogDestination, traceFields } from './logging.util';

function capture(): { lines: string[]; stream: Writable } {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      lines.push(String(chunk));
      done();
    },
  });
  return { lines, stream };
}

describe(pinoOptions.name, () => {
  it('writes JSON lines with the service name and level label', () => {
    const { lines, stream } = capture();
    const sut = pino(pinoOptions('catalog', 'info'), stream);
    sut.info({ productId: 'p1' }, 'listed');
    const line = JSON.parse(lines[0]);
    expect(line).toMatchObject({ service: 'catalog', level: 'info', productId: 'p1', msg: 'listed' });
    expect(Date.parse(line.time)).not.toBeNaN();
  });

  it('never writes credentials or personal data of households', () => {
    const { lines, stream } = capture();
    const sut = pino(pinoOptions('gateway', 'info'), stream);
    sut.info({
      req: {
        headers: {
          authorization: 'Bearer secret.jwt.value',
          cookie: 'sid=abc',
          'x-service-assertion': 'svc-token-value',
        },
      },
      password: 'hunter2-hunter2',
      body: {
        password: 'nested-password',
        nationalId: '410881199001011234',
        headName: '王小波',
        payoutAccount: '6222020200112233',
      },
      household: { name: '王小波', nationalId: '410881199001011234' },
    });
    const text = lines.join('');
    for (const secret of [
      'secret.jwt.value',
      'sid=abc',
      'svc-token-value',
      'hunter2',
      'nested-password',
      '410881199001011234',
      '王小波',
      '6222020200112233',
    ]) {
      expect(text).not.toContain(secret);
    }
    expect(text).toContain('[redacted]');
  });
});

describe(runAsService.name, () => {
  afterEach(() => setLogDestination(undefined));

  it("gives each service's lines its own name, in the callbacks it schedules too", async () => {
    const { lines, stream } = capture();
    setLogDestination(stream);
    // nestjs-pino keeps the first logger it builds for lines outside a request: the gateway's here.
    const logger = new PinoLogger(httpLoggerParams('gateway', 'info'));
    logger.info('outside');
    await runAsService('catalog', 'info', async () => {
      logger.info('at boot');
      await new Promise((resolve) => setTimeout(resolve, 5));
      logger.info('in a timer');
    });
    await runAsService('orders', 'warn', async () => {
      logger.info('below its level');
      logger.warn('warned');
    });

    expect(lines.map((line) => JSON.parse(line)).map((l) => [l.service, l.msg])).toEqual([
      ['gateway', 'outside'],
      ['catalog', 'at boot'],
      ['catalog', 'in a timer'],
      ['orders', 'warned'],
    ]);
  });
});

describe(traceFields.name, () => {
  const contextManager = new AsyncLocalStorageContextManager();
  const provider = new BasicTracerProvider();

  beforeAll(() => {
    context.setGlobalContextManager(contextManager.enable());
    trace.setGlobalTracerProvider(provider);
  });

  afterAll(async () => {
    await provider.shutdown();
    trace.disable();
    context.disable();
  });

  it('puts the active trace and span ids on every line written inside a span, none outside', () => {
    const { lines, stream } = capture();
    const sut = pino(pinoOptions('orders', 'info'), stream);
    let expected = { traceId: '', spanId: '' };
    trace.getTracer('test').startActiveSpan('checkout', (span) => {
      expected = span.spanContext();
      sut.info('inside');
      span.end();
    });
    sut.info('outside');

    const [inside, outside] = lines.map((line) => JSON.parse(line));
    expect(inside).toMatchObject({ msg: 'inside', trace_id: expected.traceId, span_id: expected.spanId });
    expect(inside.trace_id).toMatch(/^[0-9a-f]{32}$/);
    expect(outside).not.toHaveProperty('trace_id');
  });
});

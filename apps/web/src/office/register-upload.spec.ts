import { BrowserTracer } from '../api/trace.util';
import { uploadRegister, type UploadRequest } from './register-upload';

const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-(00|01)$/;

/** An XMLHttpRequest that records what the upload sets and answers `status` and `text` when sent. */
class FakeRequest implements UploadRequest {
  opened?: { method: string; url: string };
  readonly headers = new Map<string, string>();
  readonly upload: UploadRequest['upload'] = { onprogress: null };
  onload: UploadRequest['onload'] = null;
  onerror: UploadRequest['onerror'] = null;
  status = 0;
  responseText = '';
  sent?: FormData;

  constructor(private readonly answer: { status: number; text: string } | 'network error') {}

  open(method: string, url: string) {
    this.opened = { method, url };
  }

  setRequestHeader(name: string, value: string) {
    this.headers.set(name.toLowerCase(), value);
  }

  send(body: FormData) {
    this.sent = body;
    this.upload.onprogress?.({ lengthComputable: true, loaded: 50, total: 200 } as ProgressEvent);
    if (this.answer === 'network error') {
      this.onerror?.({} as ProgressEvent);
      return;
    }
    this.status = this.answer.status;
    this.responseText = this.answer.text;
    this.onload?.({} as ProgressEvent);
  }
}

/** A tracer whose exported batches are kept instead of posted to a collector. */
function recordingTracer(samplePercent = 100) {
  const exported: any[] = []; // eslint-disable-line @typescript-eslint/no-explicit-any
  const tracer = new BrowserTracer({ url: 'http://collector.test/v1/traces', samplePercent }, (async (
    _url: string,
    init: RequestInit,
  ) => {
    exported.push(JSON.parse(init.body as string));
    return new Response('{}');
  }) as typeof fetch);
  const spans = () => exported.flatMap((body) => body.resourceSpans[0].scopeSpans[0].spans);
  return { tracer, spans };
}

const file = new Blob(['name,id\n'], { type: 'text/csv' });
const options = { purpose: 'relief', dryRun: true, partial: false };

/** The form's upload of `file` through `request`, its progress ignored unless asked for. */
const send = (
  tracer: BrowserTracer,
  request: FakeRequest,
  onProgress: (percent: number) => void = () => undefined,
) => uploadRegister(file, options, 'tok', onProgress, tracer, () => request);

describe('register upload', () => {
  it('sends a traceparent with the file, and records its span under that trace', async () => {
    const { tracer, spans } = recordingTracer();
    const request = new FakeRequest({ status: 201, text: '{"imported":3}' });
    const progress: number[] = [];
    const answer = await send(tracer, request, (p) => progress.push(p));

    expect(answer).toEqual({ status: 201, body: { imported: 3 } });
    expect(progress).toEqual([25]);
    expect(request.opened).toEqual({
      method: 'POST',
      url: '/api/v1/households/import?purpose=relief&dryRun=true&partial=false',
    });
    expect(request.headers.get('authorization')).toBe('Bearer tok');
    expect(request.sent?.get('file')).toBeInstanceOf(Blob);
    const traceparent = request.headers.get('traceparent');
    expect(traceparent).toMatch(TRACEPARENT);
    const [, traceId, spanId, flags] = TRACEPARENT.exec(traceparent!)!;
    expect(flags).toBe('01');

    await tracer.flush();
    expect(spans()).toHaveLength(1);
    expect(spans()[0]).toMatchObject({
      traceId,
      spanId,
      name: 'POST /api/v1/households/import', // the path, never the query
      kind: 3,
      status: { code: 0 },
    });
    expect(spans()[0].attributes).toContainEqual({
      key: 'http.response.status_code',
      value: { intValue: 201 },
    });
  });

  it('starts a new trace for each upload', async () => {
    const { tracer } = recordingTracer(0);
    const first = new FakeRequest({ status: 201, text: '{}' });
    const second = new FakeRequest({ status: 201, text: '{}' });
    await send(tracer, first);
    await send(tracer, second);
    const ids = [first, second].map((r) => TRACEPARENT.exec(r.headers.get('traceparent') ?? '')?.[1]);
    expect(ids[0]).toBeDefined();
    expect(ids[0]).not.toBe(ids[1]);
    expect(first.headers.get('traceparent')).toMatch(/-00$/); // not sampled: no span sent
  });

  it("answers a refusal's status and body, and records a failed upload's span as an error", async () => {
    const { tracer, spans } = recordingTracer();
    const refused = new FakeRequest({ status: 503, text: 'not json' });
    expect(await send(tracer, refused)).toEqual({
      status: 503,
      body: {},
    });
    const lost = new FakeRequest('network error');
    await expect(send(tracer, lost)).rejects.toThrow('network error');
    expect(lost.headers.get('traceparent')).toMatch(TRACEPARENT);
    await tracer.flush();
    expect(spans().map((span) => span.status)).toEqual([{ code: 2 }, { code: 2 }]);
    expect(spans().map((span) => span.attributes[2].value.intValue)).toEqual([503, 0]);
  });
});

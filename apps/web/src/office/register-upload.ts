// The register import's upload: an XMLHttpRequest, since fetch reports no upload progress, traced
// as every other API request is (a `traceparent` sent, the browser's span recorded by the tracer).
import type { BrowserTracer } from '../api/trace.util';

/** What the upload uses of an XMLHttpRequest (a test gives its own). */
export interface UploadRequest {
  open(method: string, url: string): void;
  setRequestHeader(name: string, value: string): void;
  readonly upload: { onprogress: ((event: ProgressEvent) => void) | null };
  onload: ((event: ProgressEvent) => void) | null;
  onerror: ((event: ProgressEvent) => void) | null;
  readonly status: number;
  readonly responseText: string;
  send(body: FormData): void;
}

/** The import's options, as the form sets them. */
export interface RegisterUploadOptions {
  purpose: string;
  dryRun: boolean;
  partial: boolean;
}

/** The path template the span is named by (never the query). */
export const REGISTER_IMPORT_PATH = '/api/v1/households/import';

/**
 * Sends `file` to the import endpoint under a trace of `tracer`, reporting the upload's progress
 * in percent; answers the response's status and its body parsed (`{}` if it is not JSON). Rejects
 * only when no response came.
 */
export function uploadRegister(
  file: Blob,
  options: RegisterUploadOptions,
  token: string,
  onProgress: (percent: number) => void,
  tracer: BrowserTracer,
  newRequest: () => UploadRequest = () => new XMLHttpRequest(),
): Promise<{ status: number; body: unknown }> {
  const query = new URLSearchParams({
    purpose: options.purpose,
    dryRun: String(options.dryRun),
    partial: String(options.partial),
  });
  const body = new FormData();
  body.append('file', file);
  return tracer.around(
    'POST',
    REGISTER_IMPORT_PATH,
    (traceparent) =>
      new Promise((resolve, reject) => {
        const request = newRequest();
        request.open('POST', `${REGISTER_IMPORT_PATH}?${query}`);
        request.setRequestHeader('authorization', `Bearer ${token}`);
        request.setRequestHeader('traceparent', traceparent);
        request.upload.onprogress = (event) =>
          event.lengthComputable && onProgress((100 * event.loaded) / event.total);
        request.onload = () => {
          let parsed: unknown = {};
          try {
            parsed = JSON.parse(request.responseText);
          } catch {
            /* not JSON: an empty body */
          }
          resolve({ status: request.status, body: parsed });
        };
        request.onerror = () => reject(new Error('network error'));
        request.send(body);
      }),
  );
}

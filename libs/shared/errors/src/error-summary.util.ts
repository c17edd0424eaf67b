/** `Name: message` of an error without its stack (which may be long or hold data), for logs. */
export function errorSummary(exception: unknown): string {
  return exception instanceof Error ? `${exception.name}: ${exception.message}` : String(exception);
}

/** A non-null object, the first check on anything that crossed `postMessage` or a port. */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

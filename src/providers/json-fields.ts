export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function numberOrZero(value: unknown): number {
  return typeof value === 'number' ? value : 0;
}

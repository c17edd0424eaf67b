/** China Standard Time, UTC+8, all year: agreement dates are dates in Jiyuan. */
const CHINA_OFFSET_MS = 8 * 3600 * 1000;

/** The calendar date (YYYY-MM-DD) in China at an instant; agreements are valid on dates. */
export function chinaDateOf(instant: Date): string {
  return new Date(instant.getTime() + CHINA_OFFSET_MS).toISOString().slice(0, 10);
}

/** A date string that is a real calendar date. */
export function isIsoDate(value: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) {
    return false;
  }
  const date = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === value;
}

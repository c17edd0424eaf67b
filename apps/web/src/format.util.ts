/** ¥ and two decimals from integer fen, exactly (no floating point): 123456 → ¥1,234.56. */
export function yuan(fen: number): string {
  const sign = fen < 0 ? '-' : '';
  const abs = Math.abs(Math.trunc(fen));
  const whole = Math.floor(abs / 100)
    .toString()
    .replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${sign}¥${whole}.${String(abs % 100).padStart(2, '0')}`;
}

/** Integer fen from what a person typed in yuan ("12", "12.5", "12.50"); undefined if it is not that. */
export function fenOf(text: string): number | undefined {
  const match = /^\s*(\d{1,9})(?:\.(\d{1,2}))?\s*$/.exec(text);
  if (!match) {
    return undefined;
  }
  return Number(match[1]) * 100 + Number((match[2] ?? '').padEnd(2, '0'));
}

const chinaTime = new Intl.DateTimeFormat('zh-CN', {
  timeZone: 'Asia/Shanghai',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  hour12: false,
});

/** An instant as China time (UTC+8), e.g. 2020/05/16 14:03; '–' when there is none. */
export function chinaDateTime(iso: string | null | undefined): string {
  return iso ? chinaTime.format(new Date(iso)) : '–';
}

/** Basis points as a percentage: 1500 → 15%. */
export function percent(bps: number): string {
  return `${(bps / 100).toFixed(bps % 100 === 0 ? 0 : 2)}%`;
}

/**
 * The instant a day of China's calendar (`2020-05-16`, as a date input gives it) starts there,
 * `days` days later, as ISO 8601; undefined for anything that is not such a date.
 */
export function chinaDayStart(date: string, days = 0): string | undefined {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) {
    return undefined;
  }
  const start = new Date(`${date}T00:00:00+08:00`);
  return Number.isNaN(start.getTime())
    ? undefined
    : new Date(start.getTime() + days * 86_400_000).toISOString();
}

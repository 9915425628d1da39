/**
 * Literal forms that arrive as quoted strings and must be valid before PostgreSQL sees them: a
 * malformed UUID or time would make the database raise, which would be a 500, not a 400.
 */

const UUID_PATTERN = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

export const isUuid = (s: string) => UUID_PATTERN.test(s);

/**
 * `YYYY-MM-DD`, or `YYYY-MM-DDTHH:MM:SS[.fraction][Z|±HH:MM]` (RFC 3339; `T` may be `t` or a
 * space, `Z` may be `z`). Without a zone the time is UTC.
 */
const TIME_PATTERN =
  /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:([Zz])|([+-])(\d{2}):(\d{2}))?)?$/;

const MS_PER_MINUTE = 60_000;

/**
 * Parses a time literal into the UTC instant as `YYYY-MM-DDTHH:MM:SS[.fraction]Z`, a form
 * PostgreSQL reads the same whatever its session time zone. Returns undefined for text that is
 * not one of the accepted forms, names a date that does not exist (2025-02-30), or lands outside
 * the years 0001-9999 once its offset is applied.
 */
export function parseTimeLiteral(text: string): string | undefined {
  const m = TIME_PATTERN.exec(text);
  if (!m) return undefined;
  const [year, month, day, hour, minute, second] = [1, 2, 3, 4, 5, 6].map((i) => Number(m[i] ?? '0')) as [
    number, number, number, number, number, number,
  ];
  if (year < 1 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
  if (hour > 23 || minute > 59 || second > 59) return undefined;
  const offsetMinutes = zoneOffsetMinutes(m[9], m[10], m[11]);
  if (offsetMinutes === undefined) return undefined;
  const d = new Date(0);
  d.setUTCFullYear(year, month - 1, day);
  d.setUTCHours(hour, minute, second, 0);
  const utc = new Date(d.getTime() - offsetMinutes * MS_PER_MINUTE);
  const y = utc.getUTCFullYear();
  if (y < 1 || y > 9999) return undefined;
  const fraction = m[7] ? `.${m[7]}` : '';
  return `${String(y).padStart(4, '0')}-${p2(utc.getUTCMonth() + 1)}-${p2(utc.getUTCDate())}T${p2(utc.getUTCHours())}:${p2(utc.getUTCMinutes())}:${p2(utc.getUTCSeconds())}${fraction}Z`;
}

function zoneOffsetMinutes(sign: string | undefined, hh: string | undefined, mm: string | undefined): number | undefined {
  if (!sign) return 0;
  const h = Number(hh);
  const min = Number(mm);
  if (h > 23 || min > 59) return undefined;
  return (sign === '-' ? -1 : 1) * (h * 60 + min);
}

const p2 = (n: number) => String(n).padStart(2, '0');

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

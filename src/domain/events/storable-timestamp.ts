// The event timestamp policy: an RFC 3339 date-time that Postgres stores as the same instant,
// unchanged. Postgres keeps microseconds (a 7th fractional digit would be rounded away), turns a
// leap second (23:59:60) into the next minute on any date, accepts offsets only up to ±15:59 and
// has no year 0. Each of those is refused here, so a timestamp that validates is stored exactly.
const dateTime =
  /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.\d{1,6})?(?:[Zz]|[+-](\d{2}):(\d{2}))$/;

const isLeapYear = (year: number) => (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;

function daysInMonth(year: number, month: number): number {
  if (month === 2) return isLeapYear(year) ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

export function isStorableTimestamp(text: string): boolean {
  const match = dateTime.exec(text);
  if (match === null) return false;
  const field = (index: number) => Number(match[index] ?? '0');
  const [year, month, day] = [field(1), field(2), field(3)];
  return (
    year >= 1 &&
    month >= 1 &&
    month <= 12 &&
    day >= 1 &&
    day <= daysInMonth(year, month) &&
    field(4) <= 23 &&
    field(5) <= 59 &&
    field(6) <= 59 &&
    field(7) <= 15 &&
    field(8) <= 59
  );
}

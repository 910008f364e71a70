// Calendar dates in the academy's time zone (Spain by default), where "today" and "this year" live.

export function calendarDate(date: Date, timeZone = "Europe/Madrid"): string {
  // en-CA formats as YYYY-MM-DD.
  return new Intl.DateTimeFormat("en-CA", { timeZone, year: "numeric", month: "2-digit", day: "2-digit" }).format(date);
}

export function calendarYear(date: Date, timeZone = "Europe/Madrid"): number {
  return Number(calendarDate(date, timeZone).slice(0, 4));
}

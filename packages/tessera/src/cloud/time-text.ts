/** An epoch-seconds time as ISO 8601 (UTC), or the raw number when no Date can hold it. */
export function isoTime(seconds: number): string {
  const date = new Date(seconds * 1000)
  return Number.isNaN(date.getTime()) ? String(seconds) : date.toISOString()
}

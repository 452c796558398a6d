/** Renders epoch seconds as an ISO timestamp, or the bare number when no date can hold it. */
export function formatTime(epochSeconds: number): string {
  const ms = epochSeconds * 1000
  if (!Number.isFinite(ms) || Math.abs(ms) > 8.64e15)
    return `${epochSeconds} (out of range for a date)`
  return new Date(ms).toISOString()
}

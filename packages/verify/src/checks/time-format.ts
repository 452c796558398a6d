/** Renders epoch seconds as an RFC 3339 UTC timestamp for expected/actual values. */
export function isoTime(epochSeconds: number): string {
  const ms = epochSeconds * 1000
  if (!Number.isFinite(ms) || Math.abs(ms) > 8.64e15) return String(epochSeconds)
  return new Date(ms).toISOString().replace('.000Z', 'Z')
}

/** Renders a duration in seconds as `95 s` or `2 h 3 min 5 s`, for messages. */
export function duration(seconds: number): string {
  const s = Math.round(Math.abs(seconds))
  if (s < 120) return `${s} s`
  const h = Math.floor(s / 3600)
  const m = Math.floor((s % 3600) / 60)
  const r = s % 60
  return [h ? `${h} h` : '', m ? `${m} min` : '', r ? `${r} s` : ''].filter(Boolean).join(' ')
}

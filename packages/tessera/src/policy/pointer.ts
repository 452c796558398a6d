/** A JSON pointer (RFC 6901) from path segments: `~` and `/` inside a segment are escaped. */
export function pointer(...segments: readonly (string | number)[]): string {
  return segments
    .map((segment) => `/${String(segment).replaceAll('~', '~0').replaceAll('/', '~1')}`)
    .join('')
}

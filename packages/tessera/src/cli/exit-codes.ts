/** Exit statuses of every `tessera` command. */
export const exitCodes = Object.freeze({
  /** The token (or configuration) is valid; the command did what was asked. */
  ok: 0,
  /** The token was rejected, or a check failed. */
  rejected: 1,
  /** Bad usage or unreadable input: nothing was checked. */
  usage: 2,
})

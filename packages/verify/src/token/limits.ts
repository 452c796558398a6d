/** Size caps applied before any parsing: a token cannot make the verifier do unbounded work. */

/** Default cap on the whole compact token, in bytes (characters, since it must be ASCII). */
export const defaultMaxTokenBytes = 16 * 1024

/** Cap on the decoded protected header, in bytes; real headers are well under 1 KiB. */
export const maxHeaderBytes = 4 * 1024

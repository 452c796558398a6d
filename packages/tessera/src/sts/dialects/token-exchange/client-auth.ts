import { quote, redact, TesseraError } from '@tessera/verify'
import type { Form } from './form.ts'

/** Request headers as Node gives them (lower-case names), or any case from other callers. */
export type RequestHeaders = Readonly<Record<string, string | readonly string[] | undefined>>

/**
 * The client id of a token request, from the body (`client_id`, RFC 6749 §2.3.1
 * client_secret_post or a public client) or from `authorization: Basic`
 * (client_secret_basic). Tessera authenticates the subject token, not the client, so a
 * secret is never checked — only the id is kept, for the audit log. It never becomes the
 * minted `client_id` (the granting policy's name): an unauthenticated caller could name itself
 * any client.
 *
 * @throws {TesseraError} `invalid_request` for a malformed Basic credential or two different ids
 */
export function readClientId(form: Form, headers: RequestHeaders): string | undefined {
  const inBody = form.get('client_id')
  const inHeader = basicClientId(header(headers, 'authorization'))
  if (inBody !== undefined && inHeader !== undefined && inBody !== inHeader) {
    throw new TesseraError({
      code: 'invalid_request',
      message: `client_id ${quote(inBody)} in the body differs from ${quote(inHeader)} in the Basic credentials`,
      expected: redact(inHeader),
      actual: redact(inBody),
    })
  }
  return inBody ?? inHeader
}

function header(headers: RequestHeaders, name: string): string | undefined {
  let found: string | readonly string[] | undefined
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() === name && value !== undefined) found = value
  }
  if (typeof found === 'string' || found === undefined) return found
  if (found.length === 1) return found[0]
  throw new TesseraError({
    code: 'invalid_request',
    message: `the ${name} header is sent more than once`,
    expected: `one ${name} header`,
    actual: `${found.length} ${name} headers`,
  })
}

// RFC 6749 §2.3.1: the id and secret are form-urlencoded before Basic encoding
// (oauth4webapi sends `my%2Dclient:my%2Dsecret`), so each part is form-url-decoded here.
function basicClientId(authorization: string | undefined): string | undefined {
  if (authorization === undefined) return undefined
  const match = /^basic[ ]+([A-Za-z0-9+/]+={0,2})[ ]*$/i.exec(authorization)
  // Other schemes (Bearer, DPoP) are not client authentication at this endpoint.
  if (match === null) {
    if (/^basic(?:\s|$)/i.test(authorization)) throw malformedBasic('not base64')
    return undefined
  }
  const decoded = Buffer.from(match[1] as string, 'base64').toString('utf8')
  const colon = decoded.indexOf(':')
  if (colon < 1) throw malformedBasic('no "client_id:client_secret" pair')
  const id = formDecode(decoded.slice(0, colon))
  formDecode(decoded.slice(colon + 1)) // a malformed secret is a malformed credential too
  return id
}

function formDecode(text: string): string {
  try {
    return decodeURIComponent(text.replaceAll('+', ' '))
  } catch {
    throw malformedBasic('a part is not form-url-encoded')
  }
}

function malformedBasic(why: string): TesseraError {
  // Never echo the credential: it holds the client secret.
  return new TesseraError({
    code: 'invalid_request',
    message: `the Basic authorization header is malformed: ${why}`,
    expected: 'Basic base64(urlencode(client_id) ":" urlencode(client_secret))',
    actual: why,
  })
}

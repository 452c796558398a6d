import type { IncomingHttpHeaders } from 'node:http'
import type { RequestPolicy } from '../authorize/request-policy.ts'
import type { VerifyRequestInput } from '../verifier/types.ts'
import { peerCertificate } from './adapter-options.ts'

type Writable<T> = { -readonly [K in keyof T]: T[K] }

/**
 * Node joins repeated headers it does not know with ", " (RFC 9110 §5.3). A compact JWS never
 * contains a comma, so a comma means several DPoP headers, which the proof check counts and refuses.
 */
function dpopHeader(value: string | string[] | undefined): string | readonly string[] | undefined {
  if (typeof value !== 'string' || !value.includes(',')) return value
  return value.split(',').map((v) => v.trim())
}

/** Builds `verifyRequest`'s input from a Node HTTP request's parts, with absent fields left out. */
export function httpRequestInput(
  method: string,
  url: string,
  headers: IncomingHttpHeaders,
  socket: unknown,
  policy: RequestPolicy | readonly RequestPolicy[] | undefined,
): VerifyRequestInput {
  const input: Writable<VerifyRequestInput> = { method, url }
  const authorization = headers.authorization
  if (authorization !== undefined) input.authorization = authorization
  const dpop = dpopHeader(headers.dpop)
  if (dpop !== undefined) input.dpop = dpop
  const certificate = peerCertificate(socket)
  if (certificate !== undefined) input.clientCertificate = certificate
  if (policy !== undefined) input.policy = policy
  return input
}

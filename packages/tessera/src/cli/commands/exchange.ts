import { parseArgs } from 'node:util'
import { quote } from '@tessera/verify'
import { exitCodes } from '../exit-codes.ts'
import { isConnectionFailure, requestJson } from '../http-client.ts'
import { renderServerError } from '../output/server-error.ts'
import type { Output } from '../output/stream.ts'
import { readTokenArgument } from '../read-input.ts'
import { serverUrl } from '../server-url.ts'
import { usageError } from '../usage-error.ts'

export const exchangeUsage = `usage: tessera exchange --url URL --subject-token T|@FILE|- --audience AUD [--resource R]
    [--subject-token-type TYPE] [--scope S …] [--actor-token T|@FILE] [--actor-token-type TYPE]
    [--requested-token-type TYPE] [--json]

The client side of OAuth 2.0 Token Exchange (RFC 8693): finds the token endpoint in
URL/.well-known/openid-configuration, exchanges the subject token for an access token for the
audience, and prints only the access token (--json: the whole response). Token types default
to urn:ietf:params:oauth:token-type:jwt.
Exit status: 0 exchanged, 1 refused (the code, hint and message are printed), 2 usage error.`

const grantType = 'urn:ietf:params:oauth:grant-type:token-exchange'
const jwtTokenType = 'urn:ietf:params:oauth:token-type:jwt'

/** Discovers the token endpoint and performs one RFC 8693 exchange. */
export async function runExchange(
  argv: readonly string[],
  output: Output,
  stdin?: NodeJS.ReadableStream,
): Promise<number> {
  const { values } = parseArgs({
    args: [...argv],
    strict: true,
    options: {
      url: { type: 'string' },
      'subject-token': { type: 'string' },
      'subject-token-type': { type: 'string', default: jwtTokenType },
      audience: { type: 'string' },
      resource: { type: 'string' },
      scope: { type: 'string', multiple: true },
      'actor-token': { type: 'string' },
      'actor-token-type': { type: 'string' },
      'requested-token-type': { type: 'string' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  })
  if (values.help) {
    output.out(exchangeUsage)
    return exitCodes.ok
  }
  const url = serverUrl(values.url)
  if (values.audience === undefined && values.resource === undefined)
    throw usageError('--audience (or --resource) is required: the target service', 'audience')
  const subjectToken = await readTokenArgument(values['subject-token'], stdin)
  const form = new URLSearchParams({
    grant_type: grantType,
    subject_token: subjectToken,
    subject_token_type: values['subject-token-type'],
  })
  if (values.audience !== undefined) form.set('audience', values.audience)
  if (values.resource !== undefined) form.set('resource', values.resource)
  // RFC 6749 §3.3: one space-delimited scope parameter.
  const scopes = (values.scope ?? []).flatMap((s) => s.split(' ')).filter((s) => s !== '')
  if (scopes.length > 0) form.set('scope', scopes.join(' '))
  if (values['actor-token'] !== undefined) {
    if (values['actor-token'] === '-' && values['subject-token'] === '-')
      throw usageError('only one of the tokens can come from standard input', 'actor-token')
    form.set('actor_token', await readTokenArgument(values['actor-token'], stdin))
    form.set('actor_token_type', values['actor-token-type'] ?? jwtTokenType)
  } else if (values['actor-token-type'] !== undefined) {
    throw usageError('--actor-token-type needs --actor-token', 'actor-token-type')
  }
  if (values['requested-token-type'] !== undefined)
    form.set('requested_token_type', values['requested-token-type'])

  try {
    const tokenEndpoint = await discoverTokenEndpoint(url, output)
    if (tokenEndpoint === undefined) return exitCodes.rejected
    const response = await requestJson(tokenEndpoint, { form })
    const accessToken = (response.body as { access_token?: unknown } | null)?.access_token
    if (response.status !== 200 || typeof accessToken !== 'string') {
      if (values.json) output.out(JSON.stringify(response.body))
      renderServerError('exchange', response.status, response.body, output)
      return exitCodes.rejected
    }
    output.out(values.json ? JSON.stringify(response.body) : accessToken)
    return exitCodes.ok
  } catch (error) {
    if (!isConnectionFailure(error)) throw error
    output.err(`tessera exchange: cannot exchange: ${error.message}`)
    return exitCodes.rejected
  }
}

/**
 * Reads `token_endpoint` from the discovery document (OIDC Discovery 1.0 §4, RFC 8414 §3).
 * An https issuer may not send the subject token to a plain-http endpoint.
 */
async function discoverTokenEndpoint(url: string, output: Output): Promise<string | undefined> {
  const discoveryUrl = `${url}/.well-known/openid-configuration`
  const response = await requestJson(discoveryUrl)
  const endpoint = (response.body as { token_endpoint?: unknown } | null)?.token_endpoint
  if (response.status !== 200) {
    renderServerError('exchange', response.status, response.body, output)
    return undefined
  }
  let parsed: URL | undefined
  try {
    parsed = typeof endpoint === 'string' ? new URL(endpoint) : undefined
  } catch {
    parsed = undefined
  }
  const downgrade = url.startsWith('https:') && parsed?.protocol !== 'https:'
  if (parsed === undefined || !/^https?:$/.test(parsed.protocol) || downgrade) {
    output.err(
      `tessera exchange: the discovery document ${quote(discoveryUrl)} has no usable token_endpoint: expected an ${url.startsWith('https:') ? 'https' : 'http or https'} URL, got ${typeof endpoint === 'string' ? quote(endpoint) : typeof endpoint}`,
    )
    return undefined
  }
  return parsed.href
}

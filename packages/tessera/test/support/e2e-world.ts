// A whole Tessera for the end-to-end suites: a temporary directory holding a tessera.yaml the
// test writes, started with `startTessera` on a loopback port with an injected clock, a test CI
// issuer whose ES256 key is generated here (trusted through an inline JWKS), and the HTTP calls
// a client makes. Nothing here sleeps; every server is closed and every directory removed.
import assert from 'node:assert/strict'
import { randomBytes, randomUUID } from 'node:crypto'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { isTesseraError } from '@tessera/verify'
import {
  generateTestKey,
  jwksOf,
  signJwt,
  steppableClock,
  type TestKey,
} from '../../../verify/test/support/token-factory.ts'
import { type RunningTessera, startTessera } from '../../src/app.ts'
import { createJoinToken } from '../../src/issuer/index.ts'
import { openSqliteStores } from '../../src/store/index.ts'
import { createLogger, type Logger } from '../../src/telemetry/index.ts'

export const trustDomain = 'example.org'
export const tokenExchangeGrant = 'urn:ietf:params:oauth:grant-type:token-exchange'
export const jwtTokenType = 'urn:ietf:params:oauth:token-type:jwt'
export const accessTokenType = 'urn:ietf:params:oauth:token-type:access_token'

/** Values the YAML of a test may refer to. */
export interface WorldContext {
  /** Tessera's URL: `server.publicUrl`, the issuer of every token it mints. */
  readonly url: string
  /** JWKS (JSON, one line) of each test issuer, by name. */
  readonly jwks: (name: string) => string
}

/** Options of `startWorld`. */
export interface WorldOptions {
  /**
   * Everything after the `server` section and before `store`: `trustDomain`, `issuer`,
   * `trustedIssuers`, `inventory`, `policies`.
   */
  readonly body: (context: WorldContext) => string
  /** Test issuers to generate (ES256), by name; their JWKS is `context.jwks(name)`. */
  readonly issuers?: readonly string[]
  readonly store?: 'sqlite' | 'memory'
  readonly bodyLimitBytes?: number
}

/** A test issuer: signs tokens with its own key, `iat`/`exp`/`jti` around the world's clock. */
export interface TestIssuer {
  readonly key: TestKey
  /** Signs `claims` (ES256, `typ: JWT`); defaults: iat = now, exp = now + 300, a random jti. */
  sign(claims: Record<string, unknown>, header?: Record<string, unknown>): string
}

/** A started Tessera and the test's handles on it. */
export interface World {
  readonly running: RunningTessera
  /** Where it listens, equal to its public URL (the issuer). */
  readonly url: string
  readonly dir: string
  readonly configPath: string
  readonly dataDir: string
  readonly store: 'sqlite' | 'memory'
  /** Epoch seconds, as every part of the server sees them. */
  now(): number
  advance(seconds: number): void
  issuer(name: string): TestIssuer
  /** JSON log lines the server wrote. */
  readonly logs: Record<string, unknown>[]
  close(): Promise<void>
}

/** A steppable clock starting at the current second (so CLI-made join tokens stay valid). */
function worldClock() {
  return steppableClock(Math.floor(Date.now() / 1000))
}

/** A logger whose JSON lines are kept in memory (the server's output stays out of the test's). */
export function memoryLogger(): { logger: Logger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = []
  const logger = createLogger({
    level: 'info',
    destination: { write: (text: string) => lines.push(JSON.parse(text)) },
  })
  return { logger, lines }
}

/**
 * A free loopback port. The public URL (the issuer) must name the port before the server
 * starts, and discovery demands `issuer` equal the URL exactly, so the port is found first;
 * `startWorld` retries with another when something took it in between.
 */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer()
    probe.once('error', reject)
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address()
      const port = typeof address === 'object' && address !== null ? address.port : 0
      probe.close(() => resolve(port))
    })
  })
}

/** Renders the `server` and `store` sections around the test's own body. */
export function renderConfig(
  options: WorldOptions,
  context: WorldContext,
  port: number,
  dataDir: string,
): string {
  return `server:
  listen: 127.0.0.1:${port}
  publicUrl: ${context.url}
  bodyLimitBytes: ${options.bodyLimitBytes ?? 65536}
${options.body(context).trimEnd()}
store:
  kind: ${options.store ?? 'sqlite'}
  dataDir: ${JSON.stringify(dataDir)}
telemetry:
  logLevel: info
`
}

/** Writes the configuration into a fresh temporary directory and starts Tessera on it. */
export async function startWorld(options: WorldOptions): Promise<World> {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-e2e-'))
  const dataDir = join(dir, 'data')
  const configPath = join(dir, 'tessera.yaml')
  const clock = worldClock()
  const keys = new Map<string, TestKey>()
  for (const name of options.issuers ?? []) keys.set(name, generateTestKey('ES256', `${name}-1`))
  const jwks = (name: string) => {
    const key = keys.get(name)
    if (key === undefined) throw new Error(`no test issuer ${name}`)
    return JSON.stringify(jwksOf(key))
  }
  const { logger, lines } = memoryLogger()
  const env = { TESSERA_TEST_KEK: randomBytes(32).toString('base64url') }
  let running: RunningTessera | undefined
  let url = ''
  for (let attempt = 0; running === undefined; attempt++) {
    const port = await freePort()
    url = `http://127.0.0.1:${port}`
    writeFileSync(configPath, renderConfig(options, { url, jwks }, port, dataDir))
    try {
      running = await startTessera({ configPath, env, clock: clock.now, logger })
    } catch (error) {
      const inUse =
        isTesseraError(error) &&
        error.code === 'invalid_config' &&
        error.message.includes('the address is in use')
      if (!inUse || attempt >= 4) {
        rmSync(dir, { recursive: true, force: true })
        throw error
      }
    }
  }
  const started = running
  return {
    running: started,
    url,
    dir,
    configPath,
    dataDir,
    store: options.store ?? 'sqlite',
    now: clock.now,
    advance: clock.advance,
    issuer: (name) => {
      const key = keys.get(name)
      if (key === undefined) throw new Error(`no test issuer ${name}`)
      return {
        key,
        sign: (claims, header) => {
          const now = clock.now()
          return signJwt(key, { iat: now, exp: now + 300, jti: randomUUID(), ...claims }, header)
        },
      }
    },
    logs: lines,
    close: async () => {
      try {
        await started.close()
      } finally {
        rmSync(dir, { recursive: true, force: true })
      }
    },
  }
}

// ---------------------------------------------------------------------------------------------
// What a client does.

/** A JSON answer: status, headers and the parsed body. */
export interface JsonAnswer {
  readonly status: number
  readonly headers: Headers
  readonly body: Record<string, unknown>
}

async function jsonAnswer(response: Response): Promise<JsonAnswer> {
  const text = await response.text()
  let body: Record<string, unknown>
  try {
    body = JSON.parse(text) as Record<string, unknown>
  } catch {
    throw new Error(`expected JSON from ${response.url} (${response.status}), got ${text}`)
  }
  return { status: response.status, headers: response.headers, body }
}

/** POSTs an RFC 8693 token-exchange form (grant_type set unless given) to `/oauth2/token`. */
export async function postTokenExchange(
  url: string,
  params: Record<string, string>,
  headers: Record<string, string> = {},
): Promise<JsonAnswer> {
  const form = new URLSearchParams({ grant_type: tokenExchangeGrant, ...params })
  const response = await fetch(`${url}/oauth2/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: form.toString(),
  })
  return jsonAnswer(response)
}

/** POSTs a raw body to a path, with a content type. */
export async function postRaw(
  url: string,
  path: string,
  contentType: string,
  body: string | Buffer,
): Promise<JsonAnswer> {
  const response = await fetch(`${url}${path}`, {
    method: 'POST',
    headers: { 'content-type': contentType },
    // A copy as a plain Uint8Array: with the DOM lib in the program, BodyInit lacks Buffer.
    body: typeof body === 'string' ? body : new Uint8Array(body),
  })
  return jsonAnswer(response)
}

/** POSTs JSON to `/v1/identity/token`. */
export async function postIdentity(
  url: string,
  body: Record<string, unknown>,
): Promise<JsonAnswer> {
  const response = await fetch(`${url}/v1/identity/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  })
  return jsonAnswer(response)
}

/** Creates a join token the way `tessera join-token create` does: a second connection to the store. */
export async function joinTokenViaStore(world: World, spiffeId: string): Promise<string> {
  if (world.store !== 'sqlite')
    throw new Error('join tokens need the SQLite store (a second connection)')
  const stores = await openSqliteStores({ dataDir: world.dataDir, clock: world.now })
  try {
    const created = await createJoinToken({
      store: stores.joinTokens,
      spiffeId,
      ttlSeconds: 600,
      clock: world.now,
    })
    return created.token
  } finally {
    await stores.close()
  }
}

/** Join token (from the store) → `POST /v1/identity/token` → the workload identity token. */
export async function identityToken(
  world: World,
  spiffeId: string,
  audience = world.url,
): Promise<string> {
  const answer = await postIdentity(world.url, {
    joinToken: await joinTokenViaStore(world, spiffeId),
    audience,
  })
  assert.equal(answer.status, 200, JSON.stringify(answer.body))
  return answer.body.token as string
}

/** One audit record as `GET /v1/audit` returns it. */
export type WireAuditRecord = Record<string, unknown> & {
  readonly id: string
  readonly correlationId: string
  readonly decision: 'allow' | 'deny'
}

/** `GET /v1/audit` with a query; the records, newest first. */
export async function auditRecords(
  url: string,
  query: Record<string, string> = {},
): Promise<WireAuditRecord[]> {
  const response = await fetch(`${url}/v1/audit?${new URLSearchParams(query)}`)
  const answer = await jsonAnswer(response)
  assert.equal(answer.status, 200, JSON.stringify(answer.body))
  return answer.body.records as WireAuditRecord[]
}

/** Every audit record (pages followed to the end). */
export async function allAuditRecords(url: string): Promise<WireAuditRecord[]> {
  const records: WireAuditRecord[] = []
  let before: string | undefined
  do {
    const query: Record<string, string> = { limit: '500' }
    if (before !== undefined) query.before = before
    const response = await fetch(`${url}/v1/audit?${new URLSearchParams(query)}`)
    const answer = await jsonAnswer(response)
    assert.equal(answer.status, 200, JSON.stringify(answer.body))
    records.push(...(answer.body.records as WireAuditRecord[]))
    before = answer.body.next as string | undefined
  } while (before !== undefined)
  return records
}

/** The one audit record with `correlationId`. */
export async function auditRecordFor(url: string, correlationId: string): Promise<WireAuditRecord> {
  const records = await auditRecords(url, { correlationId })
  assert.equal(records.length, 1, `audit records for ${correlationId}: ${JSON.stringify(records)}`)
  return records[0] as WireAuditRecord
}

/**
 * Asserts that no token appears anywhere in `value`: not whole, and for a JWS neither its
 * payload nor its signature (a record that kept either could be used to rebuild or replay it).
 */
export function assertHoldsNoToken(value: unknown, ...tokens: readonly string[]): void {
  const text = JSON.stringify(value)
  for (const token of tokens) {
    assert.ok(!text.includes(token), 'the whole token is in the record')
    const [, payload, signature] = token.split('.')
    if (payload !== undefined && payload.length > 0)
      assert.ok(!text.includes(payload), 'the token payload is in the record')
    if (signature !== undefined && signature.length > 0)
      assert.ok(!text.includes(signature), 'the token signature is in the record')
  }
}

/** Decodes a JWT's claims without verifying (for asserting what was minted). */
export function claimsOf(token: string): Record<string, unknown> {
  const payload = token.split('.')[1] ?? ''
  return JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>
}

/** Decodes a JWT's protected header without verifying. */
export function headerOf(token: string): Record<string, unknown> {
  const header = token.split('.')[0] ?? ''
  return JSON.parse(Buffer.from(header, 'base64url').toString('utf8')) as Record<string, unknown>
}

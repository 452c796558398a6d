import assert from 'node:assert/strict'
import { createHash, generateKeyPairSync, randomUUID, sign } from 'node:crypto'
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { Worker } from 'node:worker_threads'
import { createVerifier, decodeJwt } from '@tessera/verify'
import { runCli } from '../cli/main.ts'
import { memoryOutput } from '../cli/output/stream.ts'
import {
  payments,
  startTesseraFixture,
  type TesseraFixture,
  trustDomain,
} from '../server/http/testing/tessera-fixture.ts'
import { type AgentEvent, createAgent, loadAgentConfig, readStatusFile } from './index.ts'
import { type FaultProxy, startFaultProxy } from './testing/fault-proxy.ts'
import { type ManualTimers, manualTimers } from './testing/manual-timers.ts'

// One clock for Tessera and the agent: the test moves it, nothing sleeps.
let now = Math.floor(Date.now() / 1000)
let fixture: TesseraFixture
let proxy: FaultProxy
const spiffeId = `spiffe://${trustDomain}/agent`

// Two loopback upstream issuers Tessera trusts through inline JWKS (nothing is fetched): a
// Kubernetes API server for projected service-account tokens, and a CI's OIDC provider.
const kubernetesIssuer = 'https://kubernetes.tessera.test'
const ciIssuer = 'https://ci.tessera.test'
const upstreamKey = generateKeyPairSync('ec', { namedCurve: 'P-256' })
const upstreamJwks = JSON.stringify({
  keys: [{ ...upstreamKey.publicKey.export({ format: 'jwk' }), kid: 'up-1', alg: 'ES256' }],
})

/** An upstream token (ES256, one hour, unique jti) issued now by `iss` for Tessera. */
function upstreamToken(iss: string, claims: Record<string, unknown>): string {
  const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url')
  const input = `${encode({ alg: 'ES256', kid: 'up-1', typ: 'JWT' })}.${encode({
    iss,
    aud: 'tessera',
    iat: now,
    nbf: now,
    exp: now + 3600,
    jti: randomUUID(),
    ...claims,
  })}`
  const signature = sign('sha256', Buffer.from(input), {
    key: upstreamKey.privateKey,
    dsaEncoding: 'ieee-p1363',
  })
  return `${input}.${signature.toString('base64url')}`
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex')

before(async () => {
  fixture = await startTesseraFixture({ clock: () => now })
  // The renewal policy: the agent's own token (iss = Tessera, aud = its audience) for its own
  // SPIFFE ID, again. The issuer is the fixture's URL, known once it started.
  writeFileSync(
    fixture.configPath,
    fixture.configText({
      trustedIssuers: `  - issuer: ${kubernetesIssuer}
    jwks: ${upstreamJwks}
    algorithms: [ES256]
  - issuer: ${ciIssuer}
    jwks: ${upstreamJwks}
    algorithms: [ES256]
`,
      policies: `  - name: k8s-workloads
    use: identity
    issuer: ${kubernetesIssuer}
    audience: [tessera]
    subject: "system:serviceaccount:*:*"
    targets: [payments-api]
    output: { subject: "spiffe://{trustDomain}/ns/{claims.kubernetes.io.namespace}/sa/{claims.kubernetes.io.serviceaccount.name}" }
  - name: ci-identity
    use: identity
    issuer: ${ciIssuer}
    audience: [tessera]
    subject: "repo:acme/payments:**"
    targets: [payments-api]
    output: { subject: "spiffe://{trustDomain}/ci/{claims.repository}" }
  - name: agent-renewal
    use: identity
    issuer: ${fixture.url}
    audience: [${payments}]
    subject: ${spiffeId}
    targets: [payments-api]
    output: { subject: "spiffe://{trustDomain}/agent" }
`,
    }),
  )
  await fixture.running.reload()
  proxy = await startFaultProxy(fixture.url, () => now)
})
after(async () => {
  await proxy.close()
  await fixture.close()
})

async function cli(args: readonly string[]) {
  const output = memoryOutput()
  const status = await runCli(args, output)
  return { status, stdout: output.stdout.join('\n'), stderr: output.stderr.join('\n') }
}

async function joinToken(): Promise<string> {
  // The longest join token: the test clock runs ahead of the one \`join-token create\` uses.
  const run = await cli([
    'join-token',
    'create',
    '--spiffe-id',
    spiffeId,
    '--ttl',
    '86400',
    '--config',
    fixture.configPath,
  ])
  assert.equal(run.status, 0, run.stderr)
  return run.stdout
}

let counter = 0
/**
 * A directory with tessera-agent.yaml for one audience, attesting with a fresh join token
 * unless `attestation` (one line of the attestation section) says otherwise.
 */
async function agentFiles(extra = '', attestation?: string) {
  counter += 1
  const dir = join(fixture.dir, `agent-${counter}`)
  mkdirSync(join(dir, 'tokens'), { recursive: true })
  if (attestation === undefined) writeFileSync(join(dir, 'join'), `${await joinToken()}\n`)
  const configPath = join(dir, 'tessera-agent.yaml')
  writeFileSync(
    configPath,
    `server: ${proxy.url}
attestation:
  ${attestation ?? 'joinToken: file:join'}
tokens:
  - audience: ${payments}
    file: tokens/payments
refresh: { at: 0.5, jitter: 0.1, backoff: { initialSeconds: 2, maxSeconds: 16 } }
status: { file: status.json }
${extra}`,
  )
  return { dir, configPath, tokenFile: join(dir, 'tokens', 'payments') }
}

// Per-attempt timeout: generous by default, since under the whole suite on two cores a healthy
// first attestation (cold key imports, first SQLite commit) can take a few hundred ms; the
// hanging-Tessera test keeps it too, as its healthy start shares it. Not a sleep: a hung
// attempt is cut by this timeout, and the backoff between attempts runs on the test clock.
async function startAgent(
  timers: ManualTimers,
  extra?: string,
  timeoutMs = 5000,
  attestation?: { readonly line: string; readonly env?: NodeJS.ProcessEnv },
) {
  const files = await agentFiles(extra, attestation?.line)
  const events: AgentEvent[] = []
  const agent = createAgent(await loadAgentConfig(files.configPath), {
    clock: timers.clock,
    schedule: timers.schedule,
    random: () => 0.5,
    onEvent: (e) => events.push(e),
    timeoutMs,
    ...(attestation?.env === undefined ? {} : { env: attestation.env }),
  })
  return { ...files, agent, events }
}

function withTestClock(): ManualTimers {
  const timers = manualTimers(now)
  const clock = timers.clock
  // Tessera reads the same time as the agent.
  const advance = timers.advance
  return {
    ...timers,
    clock,
    advance: (s) => {
      advance(s)
      now = clock()
    },
    async runUntil(until) {
      await timers.runUntil(until)
      now = clock()
    },
    async runNext() {
      const ran = await timers.runNext()
      now = clock()
      return ran
    },
    schedule: (delayMs, fn) =>
      timers.schedule(delayMs, async () => {
        now = clock()
        await fn()
      }),
  }
}

describe('tessera agent against a real Tessera', () => {
  it('attests with the join token, writes a 0600 token that verifies against the JWKS, and a status without it', async () => {
    const timers = withTestClock()
    const { agent, tokenFile, dir } = await startAgent(timers)
    await agent.start()
    const token = readFileSync(tokenFile, 'utf8')
    assert.equal(statSync(tokenFile).mode & 0o777, 0o600)
    const verifier = createVerifier({
      issuers: [{ issuer: fixture.url, discovery: true }],
      audience: payments,
      clock: () => now,
    })
    const verified = await verifier.verify(token)
    assert.equal(await agent.token(payments), token)
    await assert.rejects(agent.token('https://other.example'), { code: 'invalid_options' })
    assert.equal(verified.claims.sub, spiffeId)
    const status = await readStatusFile(join(dir, 'status.json'))
    assert.deepEqual(status.audiences, [
      {
        audience: payments,
        file: tokenFile,
        subject: spiffeId,
        expiresAt: verified.claims.exp,
        lastRefresh: now,
      },
    ])
    assert.ok(
      !readFileSync(join(dir, 'status.json'), 'utf8').includes(token.split('.')[2] as string),
    )
    await agent.stop()
  })

  it('renews without the join token: it presents its own current token', async () => {
    const timers = withTestClock()
    const { agent, tokenFile } = await startAgent(timers)
    const seen = proxy.requests.length
    await agent.start()
    const first = readFileSync(tokenFile, 'utf8')
    const issuedAt = now
    // random 0.5: no jitter, the refresh is due at half the 300 s lifetime.
    await timers.runUntil(issuedAt + 149)
    assert.equal(readFileSync(tokenFile, 'utf8'), first)
    await timers.runUntil(issuedAt + 150)
    const second = readFileSync(tokenFile, 'utf8')
    assert.notEqual(second, first)
    assert.equal(decodeJwt(second, 65536).claims.exp, issuedAt + 150 + 300)
    assert.deepEqual(
      proxy.requests.slice(seen).map((r) => [r.at - issuedAt, r.attestation]),
      [
        [0, 'joinToken'],
        [150, 'token'],
      ],
    )
    await agent.stop()
  })

  it('keeps the token in place while Tessera is down, backing off 1, 2, 4, 8, 8 s, then renews', async () => {
    const timers = withTestClock()
    const { agent, tokenFile, events, dir } = await startAgent(timers)
    await agent.start()
    const first = readFileSync(tokenFile, 'utf8')
    const issuedAt = now
    const seen = proxy.requests.length
    proxy.mode = 'fail'
    try {
      await timers.runUntil(issuedAt + 190)
      const attempts = proxy.requests.slice(seen).map((r) => r.at - issuedAt)
      // Full jitter with random 0.5 waits half of the ceilings 2, 4, 8, 16, 16 s.
      assert.deepEqual(attempts, [150, 151, 153, 157, 165, 173, 181, 189])
      assert.equal(readFileSync(tokenFile, 'utf8'), first)
      const status = agent.status().audiences[0]
      assert.equal(status?.lastError?.code, 'upstream_unavailable')
      assert.equal(status?.expiresAt, issuedAt + 300)
      const written = await readStatusFile(join(dir, 'status.json'))
      assert.equal(written.audiences[0]?.lastError?.code, 'upstream_unavailable')
      assert.ok(
        events.some((e) => e.type === 'refresh_failed' && e.code === 'upstream_unavailable'),
      )
    } finally {
      proxy.mode = 'pass'
    }
    // The next attempt after the one at 189 s comes 8 s later and reaches Tessera again.
    await timers.runUntil(issuedAt + 200)
    const renewed = readFileSync(tokenFile, 'utf8')
    assert.notEqual(renewed, first)
    assert.equal(decodeJwt(renewed, 65536).claims.exp, issuedAt + 197 + 300)
    assert.equal(proxy.requests.at(-1)?.attestation, 'token')
    assert.equal(agent.status().audiences[0]?.lastError, undefined)
    await agent.stop()
  })

  it('waits out a hanging Tessera with the same backoff, and reports the expiry of the token it kept', async () => {
    const timers = withTestClock()
    // The default 5 s: the healthy first attestation below runs under the same per-attempt
    // timeout as the hung ones, so the four hangs cost 20 s rather than risk cutting it.
    const { agent, tokenFile, events } = await startAgent(timers)
    await agent.start()
    const first = readFileSync(tokenFile, 'utf8')
    const issuedAt = now
    const seen = proxy.requests.length
    proxy.mode = 'hang'
    try {
      await timers.runUntil(issuedAt + 157)
      const attempts = proxy.requests.slice(seen)
      assert.deepEqual(
        attempts.map((r) => [r.at - issuedAt, r.mode]),
        [
          [150, 'hang'],
          [151, 'hang'],
          [153, 'hang'],
          [157, 'hang'],
        ],
      )
      assert.equal(agent.status().audiences[0]?.lastError?.code, 'upstream_unavailable')
      proxy.mode = 'fail'
      await timers.runUntil(issuedAt + 301)
      assert.equal(readFileSync(tokenFile, 'utf8'), first)
      assert.ok(events.some((e) => e.type === 'expired' && e.file === tokenFile))
    } finally {
      proxy.mode = 'pass'
    }
    await agent.stop()
  })

  it('a reader hammering the file during 200 rewrites never sees a partial token', async () => {
    const timers = withTestClock()
    const { agent, tokenFile } = await startAgent(timers)
    await agent.start()
    const stop = new Int32Array(new SharedArrayBuffer(4))
    const reader = new Worker(
      `const { workerData, parentPort } = require('node:worker_threads')
       const { readFileSync } = require('node:fs')
       const stop = new Int32Array(workerData.stop)
       let reads = 0, bad = []
       while (Atomics.load(stop, 0) === 0) {
         const text = readFileSync(workerData.file, 'utf8')
         reads++
         const parts = text.split('.')
         let ok = parts.length === 3 && parts.every((p) => /^[A-Za-z0-9_-]+$/.test(p))
         if (ok) { try { JSON.parse(Buffer.from(parts[1], 'base64url').toString()).sub || (ok = false) } catch { ok = false } }
         if (!ok && bad.length < 5) bad.push(text.length)
         if (!ok) bad.count = (bad.count || 0) + 1
       }
       parentPort.postMessage({ reads, bad: bad.count || 0, lengths: bad })`,
      { eval: true, workerData: { stop: stop.buffer, file: tokenFile } },
    )
    const result = new Promise<{ reads: number; bad: number }>((resolve, reject) => {
      reader.once('message', resolve)
      reader.once('error', reject)
    })
    const tokens = new Set<string>([readFileSync(tokenFile, 'utf8')])
    for (let i = 0; i < 200; i++) {
      await timers.runUntil(now + 150)
      tokens.add(readFileSync(tokenFile, 'utf8'))
    }
    Atomics.store(stop, 0, 1)
    const { reads, bad } = await result
    await reader.terminate()
    assert.equal(tokens.size, 201)
    assert.equal(bad, 0)
    assert.ok(reads > 200, `the reader read ${reads} times`)
    assert.deepEqual(readdirSync(join(tokenFile, '..')), ['payments'], 'no temporary file is left')
    await agent.stop()
  })
})

describe('tessera agent attesting with an upstream token', () => {
  /** Audit records of `policy` (oldest first): the hash of what was presented, what was issued. */
  async function audited(policy: string) {
    const response = await fetch(`${fixture.url}/v1/audit?policy=${policy}&limit=50`)
    assert.equal(response.status, 200)
    const page = (await response.json()) as {
      records: {
        decision: string
        presented?: { tokenSha256?: string }
        issued?: { sub: string }
      }[]
    }
    return page.records.map((r) => [r.decision, r.presented?.tokenSha256, r.issued?.sub]).reverse()
  }
  const verifier = () =>
    createVerifier({
      issuers: [{ issuer: fixture.url, discovery: true }],
      audience: payments,
      clock: () => now,
    })

  it('presents the Kubernetes token file, re-read at every refresh, and gets the mapped SPIFFE ID', async () => {
    const timers = withTestClock()
    const { agent, tokenFile, dir } = await startAgent(timers, undefined, 5000, {
      line: 'kubernetesTokenFile: k8s/token',
    })
    /** Writes a newly projected service-account token, as the kubelet does; returns it. */
    const project = () => {
      const token = upstreamToken(kubernetesIssuer, {
        sub: 'system:serviceaccount:payments:api',
        'kubernetes.io': {
          namespace: 'payments',
          serviceaccount: { name: 'api', uid: randomUUID() },
        },
      })
      mkdirSync(join(dir, 'k8s'), { recursive: true })
      writeFileSync(join(dir, 'k8s', 'token'), token)
      return token
    }
    const first = project()
    const seen = proxy.requests.length
    await agent.start()
    const issuedAt = now
    const written = readFileSync(tokenFile, 'utf8')
    const verified = await verifier().verify(written)
    assert.equal(verified.claims.sub, `spiffe://${trustDomain}/ns/payments/sa/api`)
    assert.equal(verified.claims.exp, issuedAt + 300)

    // Kubernetes rotates the projected token: the refresh must present the new content.
    const second = project()
    await timers.runUntil(issuedAt + 150)
    const renewed = readFileSync(tokenFile, 'utf8')
    assert.notEqual(renewed, written)
    assert.equal((await verifier().verify(renewed)).claims.sub, verified.claims.sub)
    assert.deepEqual(
      proxy.requests.slice(seen).map((r) => [r.at - issuedAt, r.attestation]),
      [
        [0, 'token'],
        [150, 'token'],
      ],
    )
    assert.deepEqual(await audited('k8s-workloads'), [
      ['allow', sha256(first), verified.claims.sub],
      ['allow', sha256(second), verified.claims.sub],
    ])
    await agent.stop()
  })

  it('presents the OIDC token of an env: reference, read anew at every refresh', async () => {
    const timers = withTestClock()
    const ciToken = () =>
      upstreamToken(ciIssuer, {
        sub: 'repo:acme/payments:ref:refs/heads/main',
        repository: 'acme/payments',
      })
    const env: NodeJS.ProcessEnv = { CI_OIDC_TOKEN: ciToken() }
    const first = env.CI_OIDC_TOKEN as string
    const { agent, tokenFile } = await startAgent(timers, undefined, 5000, {
      line: 'oidcToken: env:CI_OIDC_TOKEN',
      env,
    })
    const seen = proxy.requests.length
    await agent.start()
    const issuedAt = now
    const written = readFileSync(tokenFile, 'utf8')
    const verified = await verifier().verify(written)
    assert.equal(verified.claims.sub, `spiffe://${trustDomain}/ci/acme/payments`)

    env.CI_OIDC_TOKEN = ciToken()
    const second = env.CI_OIDC_TOKEN
    await timers.runUntil(issuedAt + 150)
    const renewed = readFileSync(tokenFile, 'utf8')
    assert.notEqual(renewed, written)
    assert.equal((await verifier().verify(renewed)).claims.sub, verified.claims.sub)
    assert.deepEqual(
      proxy.requests.slice(seen).map((r) => [r.at - issuedAt, r.attestation]),
      [
        [0, 'token'],
        [150, 'token'],
      ],
    )
    assert.deepEqual(await audited('ci-identity'), [
      ['allow', sha256(first), verified.claims.sub],
      ['allow', sha256(second), verified.claims.sub],
    ])
    await agent.stop()
  })
})

describe('tessera agent run', () => {
  it('exits 1 with write_failed naming the path when the token directory cannot be written, leaving nothing', async () => {
    const files = await agentFiles()
    // Root may write anywhere: a "directory" that is a regular file refuses everyone.
    const blocker = join(files.dir, 'tokens', 'payments')
    writeFileSync(blocker, 'not a directory')
    const config = readFileSync(files.configPath, 'utf8').replace(
      'file: tokens/payments\n',
      'file: tokens/payments/token\n',
    )
    writeFileSync(files.configPath, config)
    const run = await cli(['agent', 'run', '--config', files.configPath])
    assert.equal(run.status, 1)
    assert.match(run.stderr, /tessera agent run: write_failed: .*tokens\/payments\/token.*ENOTDIR/)
    assert.equal(readFileSync(blocker, 'utf8'), 'not a directory')
    assert.deepEqual(readdirSync(join(files.dir, 'tokens')), ['payments'])
  })

  it('runs until stopped, then stops cleanly; agent status prints the audience without the token', async () => {
    const files = await agentFiles()
    const { runAgentRun } = await import('../cli/commands/agent/agent-run.ts')
    let release: () => void = () => undefined
    const stopped = new Promise<void>((resolve) => {
      release = resolve
    })
    const output = memoryOutput()
    const running = runAgentRun(['--config', files.configPath], output, undefined, {
      stopped,
      started: release,
    })
    assert.equal(await running, 0)
    assert.match(output.stderr.join('\n'), /refreshed https:\/\/payments\.example\.org/)
    assert.match(output.stderr.at(-1) ?? '', /stopped/)
    const token = readFileSync(files.tokenFile, 'utf8')
    const status = await cli(['agent', 'status', '--config', files.configPath])
    assert.equal(status.status, 0, status.stderr)
    assert.match(status.stdout, new RegExp(`subject +${spiffeId}`))
    assert.ok(!status.stdout.includes(token))
    const json = await cli(['agent', 'status', '--config', files.configPath, '--json'])
    assert.equal(JSON.parse(json.stdout).audiences[0].subject, spiffeId)
  })

  it('refuses a malformed config with every problem and its path, exit 2', async () => {
    const dir = join(fixture.dir, 'bad-agent')
    mkdirSync(dir, { recursive: true })
    const path = join(dir, 'tessera-agent.yaml')
    writeFileSync(
      path,
      `server: ftp://nowhere
attestation: { joinToken: eyJhbGciOiJSUzI1NiJ9abc123, oidcToken: env:CI_TOKEN }
tokens:
  - audience: a
    file: t
    owner: root
  - audience: a
    file: t
    colour: blue
refresh: { at: 2 }
`,
    )
    await assert.rejects(loadAgentConfig(path), { code: 'invalid_config' })
    const run = await cli(['agent', 'run', '--config', path])
    assert.equal(run.status, 2)
    for (const where of [
      '/attestation/joinToken',
      '/tokens/0/owner',
      '/tokens/1/colour',
      '/refresh/at',
    ])
      assert.ok(run.stderr.includes(`${where}:`), `${where} in ${run.stderr}`)
    assert.ok(!run.stderr.includes('eyJhbGciOiJSUzI1NiJ9abc123'))
  })
})

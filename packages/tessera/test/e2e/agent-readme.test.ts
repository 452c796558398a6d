// The README's "Delivering credentials: `tessera agent`" section, run as written (issue #6,
// README acceptance): its fenced sh blocks are parsed from README.md and every command runs, in
// order, in one bash session against a copy of examples/agent whose loopback port is a free one
// (the only substitution). `npx tessera` is the repository's bin on this Node with the loopback
// guard. Each command's exit status must be 0, or the one its comment names (`exits N`); a
// `text` block after a sh block lists lines its output must contain; the exchanges are checked
// in the answers and in Tessera's audit log. The server and the agent are the two commands a
// reader leaves running: they run in the background and the next command waits for their
// readiness (/readyz, the agent's status file) by polling, never for a fixed time.
import assert from 'node:assert/strict'
import { type ChildProcessByStdio, spawn } from 'node:child_process'
import {
  chmodSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, relative, resolve, sep } from 'node:path'
import type { Readable, Writable } from 'node:stream'
import { after, before, describe, it } from 'node:test'
import { freePort } from '../../src/server/http/testing/tessera-fixture.ts'

const root = resolve(import.meta.dirname, '../../../..')
const bin = join(root, 'packages/tessera/bin/tessera.js')
const guard = join(root, 'tools/loopback-guard.ts')
const heading = '### Delivering credentials: `tessera agent`'
const examplePort = '127.0.0.1:8080'

/** One fenced block of the section: its language and text. */
interface Block {
  readonly lang: string
  readonly text: string
}

/** The fenced blocks of the README section under `heading`, in order. */
function sectionBlocks(readme: string): Block[] {
  const start = readme.indexOf(`\n${heading}\n`)
  assert.ok(start >= 0, `README.md has no section ${heading}`)
  const rest = readme.slice(start + heading.length + 2)
  const end = rest.search(/\n#{2,3} /)
  const section = end < 0 ? rest : rest.slice(0, end)
  return [...section.matchAll(/^```(\w*)\n([\s\S]*?)^```$/gm)].map((m) => ({
    lang: m[1] as string,
    text: m[2] as string,
  }))
}

/** The commands of a sh block: a line ending in `\` continues on the next. */
function blockCommands(text: string): string[] {
  const commands: string[] = []
  let current = ''
  for (const line of text.split('\n')) {
    if (current === '' && (line.trim() === '' || line.trim().startsWith('#'))) continue
    current = current === '' ? line : `${current}\n${line}`
    if (!line.endsWith('\\')) {
      commands.push(current)
      current = ''
    }
  }
  assert.equal(current, '', 'a command ends with a line continuation')
  return commands
}

/** The exit status a command's trailing comment announces (`… exits 1 …`), else 0. */
function expectedStatus(command: string): number {
  const m = /\s#\s[^\n]*\bexits (\d+)/.exec(command)
  return m === null ? 0 : Number(m[1])
}

interface Ran {
  readonly command: string
  readonly status: number
  readonly stdout: string
  readonly stderr: string
}

const readme = readFileSync(join(root, 'README.md'), 'utf8')
const blocks = sectionBlocks(readme)

let dir: string
let work: string
let example: string
let port: number
let shell: ChildProcessByStdio<Writable, Readable, Readable>
let shellOut = ''
let wake: () => void = () => undefined
const backgroundPids: number[] = []
// Every command run, with what it printed: the checks below look commands up by what they do.
const ran: Ran[] = []
// The stdout of each sh block's commands, for the `text` block that may follow it.
const blockOutputs: { block: number; stdout: string }[] = []

const url = () => `http://127.0.0.1:${port}`

/** Waits (polling every 100 ms, at most `tries` times) until `ready` holds. */
async function poll(what: string, ready: () => Promise<boolean> | boolean, tries = 300) {
  for (let i = 0; i < tries; i++) {
    if (await ready()) return
    for (const pid of backgroundPids) {
      assert.ok(alive(pid), `a background command exited while waiting for ${what}`)
    }
    await new Promise((r) => setTimeout(r, 100))
  }
  assert.fail(`${what} was not ready after ${tries} polls`)
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

/** Runs one command in the shell; a background one reports its pid instead of a status. */
async function runInShell(index: number, command: string, background: boolean): Promise<Ran> {
  const out = join(work, `${index}.out`)
  const err = join(work, `${index}.err`)
  const done = `__readme_done ${index} `
  const script = background
    ? `{ ${command.replace(/\s*&\s*$/, '')} &\n} >'${out}' 2>'${err}'\necho "${done}$!"\n`
    : `{ ${command}\n} >'${out}' 2>'${err}'\necho "${done}$?"\n`
  shell.stdin.write(script)
  while (!shellOut.includes(done)) {
    assert.ok(shell.exitCode === null, `bash exited while running ${command}`)
    await new Promise<void>((r) => {
      wake = r
    })
  }
  const at = shellOut.indexOf(done)
  const line = shellOut.slice(at + done.length, shellOut.indexOf('\n', at))
  shellOut = shellOut.slice(shellOut.indexOf('\n', at) + 1)
  const value = Number(line)
  if (background) backgroundPids.push(value)
  const read = (file: string) => (existsSync(file) ? readFileSync(file, 'utf8') : '')
  return { command, status: background ? 0 : value, stdout: read(out), stderr: read(err) }
}

const find = (pattern: RegExp): Ran => {
  const found = ran.filter((r) => pattern.test(r.command))
  assert.equal(found.length, 1, `one README command matches ${pattern}`)
  return found[0] as Ran
}
const json = (text: string): Record<string, unknown> => JSON.parse(text)
const claimsOf = (jwt: string): Record<string, unknown> =>
  json(Buffer.from(jwt.split('.')[1] as string, 'base64url').toString('utf8'))
const runFile = (name: string) => join(example, '.run', name)

before(async () => {
  port = await freePort()
  dir = mkdtempSync(join(tmpdir(), 'tessera-agent-readme-'))
  work = join(dir, '.readme')
  example = join(dir, 'examples/agent')
  // The example as committed: no store, no tokens a reader's own run may have left behind.
  const source = join(root, 'examples/agent')
  cpSync(source, example, {
    recursive: true,
    filter: (path) => {
      const rel = relative(source, path).split(sep)
      return (
        rel[0] !== '.tessera' && !(rel[0] === '.run' && rel.length > 1 && rel[1] !== '.gitignore')
      )
    },
  })
  for (const name of ['tessera.yaml', 'tessera-agent.yaml']) {
    const file = join(example, name)
    const text = readFileSync(file, 'utf8')
    assert.ok(text.includes(examplePort), `${name} names ${examplePort}`)
    writeFileSync(file, text.replaceAll(examplePort, `127.0.0.1:${port}`))
  }
  // `npx tessera` as the README means it: the repository's bin, on this Node, guarded.
  const shim = join(dir, '.bin')
  mkdirSync(shim)
  mkdirSync(work)
  const npx = join(shim, 'npx')
  writeFileSync(
    npx,
    `#!/bin/sh
[ "$1" = tessera ] || { echo "npx (test): only tessera runs here, got $1" >&2; exit 127; }
shift
exec '${process.execPath}' --conditions=tessera-source --import '${guard}' '${bin}' "$@"
`,
  )
  chmodSync(npx, 0o755)
  const env: NodeJS.ProcessEnv = {}
  for (const [name, value] of Object.entries(process.env)) {
    if (!/^(AWS_|AZURE_|GOOGLE_|TESSERA_|NODE_OPTIONS$|NODE_TEST)/.test(name)) env[name] = value
  }
  env.PATH = `${shim}:${dirname(process.execPath)}:${process.env.PATH ?? ''}`
  env.NO_COLOR = '1'
  shell = spawn('bash', ['--noprofile', '--norc'], {
    cwd: dir,
    env,
    stdio: ['pipe', 'pipe', 'pipe'],
  })
  shell.stdout.setEncoding('utf8').on('data', (d: string) => {
    shellOut += d
    wake()
  })
  shell.stderr.setEncoding('utf8').on('data', (d: string) => {
    shellOut += d
    wake()
  })
  shell.on('exit', () => wake())

  for (const [index, block] of blocks.entries()) {
    if (block.lang !== 'sh') continue
    let stdout = ''
    for (const command of blockCommands(block.text)) {
      const line = command.replaceAll(examplePort, `127.0.0.1:${port}`)
      // `tessera up` holds the reader's first shell; here it runs beside the others.
      const server = /\bnpx tessera up\b/.test(line)
      const background = server || /&\s*$/.test(line)
      const result = await runInShell(ran.length, line, background)
      ran.push({ ...result, command })
      assert.equal(
        result.status,
        expectedStatus(command),
        `${command}\nstdout: ${result.stdout}\nstderr: ${result.stderr}`,
      )
      stdout += result.stdout
      if (server) {
        await poll('tessera up', async () => {
          try {
            return (await fetch(`${url()}/readyz`)).ok
          } catch {
            return false
          }
        })
      } else if (/\bnpx tessera agent run\b/.test(line)) {
        await poll('the agent', () => {
          if (!existsSync(runFile('status.json'))) return false
          const status = json(readFileSync(runFile('status.json'), 'utf8')) as {
            audiences: { expiresAt?: number }[]
          }
          return status.audiences.every((a) => a.expiresAt !== undefined)
        })
      }
    }
    blockOutputs.push({ block: index, stdout })
  }
})

after(async () => {
  // The agent first, then Tessera: each stops on SIGTERM (the reader's `kill %1`, Ctrl-C).
  for (const pid of backgroundPids.reverse()) {
    if (alive(pid)) process.kill(pid, 'SIGTERM')
    for (let i = 0; i < 100 && alive(pid); i++) await new Promise((r) => setTimeout(r, 100))
  }
  shell?.stdin.end()
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true })
})

describe('README: Delivering credentials with `tessera agent`', () => {
  it('runs every command of the section, each with the exit status it announces', () => {
    const commands = blocks.filter((b) => b.lang === 'sh').flatMap((b) => blockCommands(b.text))
    assert.equal(ran.length, commands.length)
    assert.ok(ran.length >= 12, `only ${ran.length} commands`)
    // Loopback only: every URL a command reaches is Tessera's.
    for (const r of ran) {
      for (const m of r.command.matchAll(/https?:\/\/127\.0\.0\.1:(\d+)/g))
        assert.equal(m[1], '8080', r.command)
      if (/^\s*curl /.test(r.command)) assert.match(r.command, /http:\/\/127\.0\.0\.1:8080\//)
    }
  })

  it('the agent holds a token for each cloud audience; status shows them, never a token', () => {
    const status = find(/tessera agent status/)
    for (const [name, audience] of [
      ['aws-token', 'sts.amazonaws.com'],
      [
        'gcp-token',
        '//iam.googleapis.com/projects/123456789012/locations/global/workloadIdentityPools/tessera-pool/providers/tessera',
      ],
      ['azure-token', 'api://AzureADTokenExchange'],
    ] as const) {
      const token = readFileSync(runFile(name), 'utf8').trim()
      const claims = claimsOf(token)
      assert.equal(claims.aud, audience)
      assert.equal(claims.sub, 'spiffe://example.org/demo')
      assert.equal(claims.iss, 'https://tessera.example.org')
      assert.ok(status.stdout.includes(`${audience}\n  file         ${runFile(name)}`))
      assert.ok(!status.stdout.includes(token.split('.')[2] as string))
    }
    assert.equal(status.stdout.match(/subject {6}spiffe:\/\/example\.org\/demo/g)?.length, 3)
  })

  it("renewal: the agent's own token buys its next one through the example's identity policy", async () => {
    // What the agent presents once the join token is spent (no waiting for the refresh point).
    const own = readFileSync(runFile('azure-token'), 'utf8').trim()
    const response = await fetch(`${url()}/v1/identity/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ token: own, audience: 'sts.amazonaws.com' }),
    })
    const body = (await response.json()) as Record<string, unknown>
    assert.equal(response.status, 200, JSON.stringify(body))
    assert.equal(body.sub, 'spiffe://example.org/demo')
    assert.equal(claimsOf(String(body.token)).aud, 'sts.amazonaws.com')
  })

  it('AWS: credential_process JSON from AssumeRoleWithWebIdentity; a misspelt role is AccessDenied', () => {
    const process_ = find(/aws-credential-process .*"\$AWS_ROLE_ARN"/)
    const credentials = json(process_.stdout)
    assert.equal(credentials.Version, 1)
    assert.match(String(credentials.AccessKeyId), /^ASIA/)
    assert.equal(typeof credentials.SecretAccessKey, 'string')
    assert.equal(typeof credentials.SessionToken, 'string')
    assert.ok(Date.parse(String(credentials.Expiration)) > Date.now())
    const denied = find(/role\/deployr/)
    assert.equal(denied.stdout, '')
    assert.match(denied.stderr, /no_matching_policy: .*AccessDenied.*closest policy is "deployer"/)
  })

  it('GCP: the external_account file points at Tessera and the agent file; /v1/token exchanges', () => {
    const file = json(readFileSync(runFile('gcp-credentials.json'), 'utf8'))
    assert.equal(file.type, 'external_account')
    assert.equal(file.token_url, `${url()}/v1/token`)
    assert.deepEqual(file.credential_source, { file: runFile('gcp-token') })
    const answer = json(find(/\/v1\/token/).stdout)
    assert.equal(answer.token_type, 'Bearer')
    assert.equal(answer.issued_token_type, 'urn:ietf:params:oauth:token-type:access_token')
    assert.equal(typeof answer.access_token, 'string')
  })

  it('Azure: the Entra endpoint over http takes the delivered token as client assertion', () => {
    const answer = json(find(/oauth2\/v2\.0\/token/).stdout)
    assert.equal(answer.token_type, 'Bearer')
    const claims = claimsOf(String(answer.access_token))
    assert.equal(claims.aud, 'https://payments.example.org')
    assert.equal(claims.sub, 'spiffe://example.org/demo')
  })

  it("Tessera's audit log holds the three dialects' allowed exchanges", async () => {
    const response = await fetch(`${url()}/v1/audit?decision=allow&limit=100`)
    assert.equal(response.status, 200)
    const body = (await response.json()) as { records: { dialect?: string }[] }
    const dialects = new Set(body.records.map((r) => r.dialect))
    for (const d of ['aws-sts', 'google-sts', 'entra'])
      assert.ok(dialects.has(d), `${d} in ${[...dialects]}`)
  })

  it('cloud export writes JSON and Terraform; doctor cloud prints the findings shown', () => {
    assert.match(
      find(/cloud export --aws --config/).stdout,
      /"Url": "https:\/\/tessera\.example\.org"/,
    )
    for (const cloud of ['aws', 'gcp', 'azure'])
      assert.ok(existsSync(runFile(`cloud/${cloud}/main.tf`)), cloud)
    let shown = 0
    for (const [i, block] of blocks.entries()) {
      if (block.lang !== 'text') continue
      const previous = blockOutputs.find((o) => o.block === i - 1)
      assert.ok(previous, 'a text block follows the sh block whose output it shows')
      const lines = previous.stdout.split('\n').map((l) => l.trimEnd())
      for (const line of block.text.split('\n').filter((l) => l.trim() !== '')) {
        assert.ok(lines.includes(line.trimEnd()), `not in the output: ${line}`)
        shown++
      }
    }
    assert.ok(shown > 0)
    assert.match(
      find(/doctor cloud/).stdout,
      /drift_mismatch azure .*\n(?:.*\n)*? {4}hint: {5}case/,
    )
  })
})

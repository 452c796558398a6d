import assert from 'node:assert/strict'
import { Readable } from 'node:stream'
import { describe, it } from 'node:test'
import { generateTestKey, signJwt } from '../../../verify/test/support/token-factory.ts'
import { doctorTokenUsage } from './commands/doctor-token.ts'
import { tokenInspectUsage } from './commands/token-inspect.ts'
import { exitCodes } from './exit-codes.ts'
import { runCli } from './main.ts'
import { memoryOutput, processOutput } from './output/stream.ts'

const usageHead = 'usage: tessera <command> [options]'

async function run(argv: readonly string[], stdin?: NodeJS.ReadableStream) {
  const output = memoryOutput()
  const status = await runCli(argv, output, stdin)
  return { status, stdout: output.stdout.join('\n'), stderr: output.stderr.join('\n') }
}

describe('runCli', () => {
  it('prints the usage and exits 2 without arguments', async () => {
    const result = await run([])
    assert.equal(result.status, exitCodes.usage)
    assert.ok(result.stdout.startsWith(usageHead))
    assert.ok(result.stdout.includes('doctor token'))
    assert.ok(result.stdout.includes('token inspect'))
  })

  it('prints the usage and exits 0 for --help, -h and help', async () => {
    for (const flag of ['--help', '-h', 'help']) {
      const result = await run([flag])
      assert.equal(result.status, exitCodes.ok, flag)
      assert.ok(result.stdout.startsWith(usageHead))
      assert.equal(result.stderr, '')
    }
  })

  it('refuses an unknown command with exit 2, naming it', async () => {
    const result = await run(['frobnicate', 'now'])
    assert.equal(result.status, exitCodes.usage)
    assert.equal(result.stdout, '')
    assert.ok(result.stderr.startsWith('tessera: unknown command "frobnicate now"\nusage: tessera'))
  })

  // The command groups as the top-level usage lists them (`keys rotate` → keys: rotate), so
  // adding a subcommand changes what is expected here without editing this test.
  async function groups(): Promise<Map<string, string[]>> {
    const listed = new Map<string, string[]>()
    for (const [, group, sub] of (await run(['--help'])).stdout.matchAll(
      /^ {2}([\w-]+) ([\w-]+) {2,}/gm,
    )) {
      listed.set(group as string, [...(listed.get(group as string) ?? []), sub as string])
    }
    return listed
  }

  it('refuses a command group without its subcommand, naming every registered one', async () => {
    const listed = await groups()
    assert.ok((listed.get('doctor')?.length ?? 0) > 1, 'doctor is a group')
    for (const [group, subs] of listed) {
      const result = await run([group])
      assert.equal(result.status, exitCodes.usage, group)
      const named =
        /^tessera: missing (\S+) command\nusage: tessera \1 <([\w| -]+)> \[options\]$/.exec(
          result.stderr,
        )
      assert.ok(named, result.stderr)
      assert.equal(named[1], group)
      // Every listed subcommand is named, and nothing else.
      assert.deepEqual(named[2]?.split(' | ').sort(), [...subs].sort(), group)
      const text = result.stderr.split('\n')[1]
      // Each named subcommand is registered: it runs, and prints its own usage.
      for (const sub of subs) {
        const help = await run([group, sub, '--help'])
        assert.equal(help.status, exitCodes.ok, `${group} ${sub}`)
        assert.ok(help.stdout.startsWith(`usage: tessera ${group} ${sub}`), `${group} ${sub}`)
      }
      // The same list answers --help (exit 0) and an unknown subcommand (exit 2).
      const help = await run([group, '--help'])
      assert.deepEqual([help.status, help.stdout], [exitCodes.ok, text])
      const unknown = await run([group, 'frobnicate'])
      assert.equal(unknown.status, exitCodes.usage)
      assert.equal(unknown.stderr, `tessera: unknown ${group} command "frobnicate"\n${text}`)
    }
  })

  it('runs doctor token and token inspect with the remaining arguments', async () => {
    const doctorHelp = await run(['doctor', 'token', '--help'])
    assert.equal(doctorHelp.status, exitCodes.ok)
    assert.equal(doctorHelp.stdout, doctorTokenUsage)
    const inspectHelp = await run(['token', 'inspect', '-h'])
    assert.equal(inspectHelp.status, exitCodes.ok)
    assert.equal(inspectHelp.stdout, tokenInspectUsage)
  })

  it('reports an unknown flag with the command usage and exit 2', async () => {
    const result = await run(['token', 'inspect', 'a.b.c', '--verbose'])
    assert.equal(result.status, exitCodes.usage)
    assert.match(result.stderr, /^tessera token inspect: Unknown option '--verbose'/)
    assert.ok(result.stderr.endsWith(tokenInspectUsage))
  })

  it('reports a missing option value with the command usage and exit 2', async () => {
    const result = await run(['doctor', 'token', 'a.b.c', '--issuer'])
    assert.equal(result.status, exitCodes.usage)
    assert.match(result.stderr, /^tessera doctor token: Option '--issuer <value>' argument missing/)
    assert.ok(result.stderr.endsWith(doctorTokenUsage))
  })

  it('reports a usage error with the command usage and exit 2', async () => {
    const result = await run(['doctor', 'token', 'a.b.c'])
    assert.equal(result.status, exitCodes.usage)
    assert.equal(
      result.stderr,
      `tessera doctor token: invalid_options: --issuer is required: the issuer the token should come from\n${doctorTokenUsage}`,
    )
  })

  it('reports any other TesseraError with its code, without the usage, and exit 2', async () => {
    const result = await run(['token', 'inspect', 'only.two'])
    assert.equal(result.status, exitCodes.usage)
    assert.equal(
      result.stderr,
      'tessera token inspect: malformed: token has 2 segments, expected 3 (header.payload.signature)',
    )
  })

  it('passes standard input to the command', async () => {
    const token = signJwt(generateTestKey('ES256'), { iss: 'https://idp.example' })
    const result = await run(['token', 'inspect', '-', '--json'], Readable.from([`${token}\n`]))
    assert.equal(result.status, exitCodes.ok)
    assert.equal(
      (JSON.parse(result.stdout) as { claims: { iss: string } }).claims.iss,
      'https://idp.example',
    )
  })

  it('rethrows an error that is not a usage or verification error', async () => {
    const failing = new Readable({
      read() {
        this.destroy(new Error('stdin exploded'))
      },
    })
    await assert.rejects(run(['token', 'inspect', '-'], failing), /stdin exploded/)
  })

  it('writes to the process streams by default, without colour when stdout is not a terminal', async (t) => {
    const written: string[] = []
    const write = t.mock.method(process.stdout, 'write', (chunk: string | Uint8Array) => {
      written.push(String(chunk))
      return true
    })
    // runCli writes the usage synchronously, so the mock is restored before anything else runs.
    const pending = runCli(['--help'])
    write.mock.restore()
    assert.equal(await pending, exitCodes.ok)
    assert.equal(written.length, 1)
    assert.ok(written[0]?.startsWith(usageHead))
    assert.ok(written[0]?.endsWith('\n'))
    if (process.stdout.isTTY !== true) assert.equal(processOutput().style('red', 'x'), 'x')
  })

  it('writes errors to the process standard error by default', async (t) => {
    const written: string[] = []
    const write = t.mock.method(process.stderr, 'write', (chunk: string | Uint8Array) => {
      written.push(String(chunk))
      return true
    })
    const pending = runCli(['nope'])
    write.mock.restore()
    assert.equal(await pending, exitCodes.usage)
    assert.equal(written[0], 'tessera: unknown command "nope"\n')
  })
})

describe('exitCodes', () => {
  it('are 0 valid, 1 rejected, 2 usage', () => {
    assert.deepEqual({ ...exitCodes }, { ok: 0, rejected: 1, usage: 2 })
    assert.equal(Object.isFrozen(exitCodes), true)
  })
})

// A whole Tessera for the app and CLI tests: a temporary directory with tessera.yaml and an
// SQLite data directory, started with `startTessera` on a free loopback port, and a logger
// whose lines a test can read and wait for (no sleeps).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type RunningTessera, startTessera } from '../../../app.ts'
import { createLogger, type Logger } from '../../../telemetry/index.ts'

export const trustDomain = 'example.org'
export const payments = 'https://payments.example.org'

/** What the generated tessera.yaml may vary. */
export interface FixtureConfig {
  /** Subject pattern of the `workloads` policy (default `spiffe://example.org/*`). */
  readonly workloadSubject?: string
  /** Extra YAML appended to `trustedIssuers` (entries, indented two spaces). */
  readonly trustedIssuers?: string
  /** Extra YAML appended to `policies` (entries, indented two spaces). */
  readonly policies?: string
  readonly bodyLimitBytes?: number
  /** `server.tls` file paths. */
  readonly tls?: { readonly certFile: string; readonly keyFile: string }
  /** Epoch-seconds clock for `startTessera` (default: the system clock). */
  readonly clock?: () => number
}

/** Logger lines, and a way to wait for one. */
export interface LogCapture {
  readonly logger: Logger
  readonly lines: Record<string, unknown>[]
  /** Resolves with the first line (already written or future) that `match` accepts. */
  waitFor(match: (line: Record<string, unknown>) => boolean): Promise<Record<string, unknown>>
}

/** A started Tessera in a temporary directory. */
export interface TesseraFixture {
  readonly running: RunningTessera
  readonly dir: string
  readonly configPath: string
  readonly dataDir: string
  /** The public URL (`http://127.0.0.1:<port>`), equal to where it listens. */
  readonly url: string
  readonly log: LogCapture
  /** The YAML of the configuration with `changes` applied (for reload tests). */
  configText(changes?: FixtureConfig): string
  /** Stops the server and removes the directory. */
  close(): Promise<void>
}

/** Creates a logger whose JSON lines are kept in memory. */
export function captureLog(): LogCapture {
  const lines: Record<string, unknown>[] = []
  const waiting: {
    match: (l: Record<string, unknown>) => boolean
    resolve: (l: Record<string, unknown>) => void
  }[] = []
  const logger = createLogger({
    level: 'info',
    destination: {
      write(text: string) {
        const line = JSON.parse(text) as Record<string, unknown>
        lines.push(line)
        for (const waiter of [...waiting]) {
          if (waiter.match(line)) {
            waiting.splice(waiting.indexOf(waiter), 1)
            waiter.resolve(line)
          }
        }
      },
    },
  })
  return {
    logger,
    lines,
    waitFor: (match) => {
      const found = lines.find(match)
      if (found !== undefined) return Promise.resolve(found)
      return new Promise((resolve) => waiting.push({ match, resolve }))
    },
  }
}

/**
 * A free loopback port: the server's public URL must name its port before it starts, so the
 * port is reserved by a throwaway listener first (another process could take it in between;
 * on a test machine that window is harmless).
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

/** A configuration written into a fresh temporary directory, not started. */
export interface FixtureFiles {
  readonly dir: string
  readonly configPath: string
  readonly dataDir: string
  /** The public URL, naming a port that was free when the file was written. */
  readonly url: string
  configText(changes?: FixtureConfig): string
  /** Removes the directory. */
  remove(): void
}

/** Writes tessera.yaml (SQLite store in `<dir>/data`) for a free loopback port. */
export async function writeFixtureConfig(config: FixtureConfig = {}): Promise<FixtureFiles> {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-app-'))
  const port = await freePort()
  const scheme = config.tls === undefined ? 'http' : 'https'
  const url = `${scheme}://127.0.0.1:${port}`
  const dataDir = join(dir, 'data')
  const configPath = join(dir, 'tessera.yaml')
  const configText = (changes: FixtureConfig = {}) =>
    renderConfig({ ...config, ...changes }, port, url, dataDir)
  writeFileSync(configPath, configText())
  return {
    dir,
    configPath,
    dataDir,
    url,
    configText,
    remove: () => rmSync(dir, { recursive: true, force: true }),
  }
}

/** Writes a configuration into a fresh temporary directory and starts Tessera on it. */
export async function startTesseraFixture(config: FixtureConfig = {}): Promise<TesseraFixture> {
  const { dir, configPath, dataDir, url, configText, remove } = await writeFixtureConfig(config)
  const log = captureLog()
  let running: RunningTessera
  try {
    running = await startTessera({
      configPath,
      env: {},
      logger: log.logger,
      ...(config.clock === undefined ? {} : { clock: config.clock }),
    })
  } catch (error) {
    remove()
    throw error
  }
  return {
    running,
    dir,
    configPath,
    dataDir,
    url,
    log,
    configText,
    close: async () => {
      await running.close()
      remove()
    },
  }
}

function renderConfig(config: FixtureConfig, port: number, url: string, dataDir: string): string {
  const tls =
    config.tls === undefined
      ? ''
      : `  tls: { certFile: ${JSON.stringify(config.tls.certFile)}, keyFile: ${JSON.stringify(config.tls.keyFile)} }\n`
  return `server:
  listen: 127.0.0.1:${port}
  publicUrl: ${url}
${tls}  bodyLimitBytes: ${config.bodyLimitBytes ?? 65536}
trustDomain: ${trustDomain}
issuer:
  keyEncryptionKey: file:kek
trustedIssuers:${config.trustedIssuers === undefined ? ' []' : `\n${config.trustedIssuers}`}
inventory:
  services:
    - name: payments-api
      audiences: [${payments}]
policies:
  - name: workloads
    issuer: ${url}
    subject: ${JSON.stringify(config.workloadSubject ?? `spiffe://${trustDomain}/*`)}
    targets: [payments-api]
    scopes: [payments.read]
${config.policies ?? ''}store:
  kind: sqlite
  dataDir: ${JSON.stringify(dataDir)}
telemetry:
  logLevel: info
`
}

import { parseArgs } from 'node:util'
import { type RunningTessera, startTessera } from '../../app.ts'
import type { Logger } from '../../telemetry/index.ts'
import { exitCodes } from '../exit-codes.ts'
import { defaultConfigPath } from '../open-store.ts'
import type { Output } from '../output/stream.ts'
import { renderUpBanner } from '../output/up-banner.ts'

export const upUsage = `usage: tessera up [--config FILE] [--listen HOST:PORT] [--data-dir DIR]

Starts the workload issuer and token exchange server on the configuration (default
${defaultConfigPath}; --listen and --data-dir override server.listen and store.dataDir), prints
its endpoints and an example session, and runs until SIGINT or SIGTERM. Then it stops
gracefully: in-flight requests finish and the audit log is flushed. The configuration file is
watched: valid changes apply at once, invalid ones are logged and the running one stays.`

/** What tests replace: the logger, and what ends the run. */
export interface UpHooks {
  readonly logger?: Logger
  /** Resolves when the server should stop. Default: the first SIGINT or SIGTERM. */
  readonly stopped?: (running: RunningTessera) => Promise<unknown>
}

/** Runs the server in the foreground until it is told to stop. */
export async function runUp(
  argv: readonly string[],
  output: Output,
  _stdin?: NodeJS.ReadableStream,
  hooks: UpHooks = {},
): Promise<number> {
  const { values } = parseArgs({
    args: [...argv],
    strict: true,
    options: {
      config: { type: 'string', short: 'c' },
      listen: { type: 'string' },
      'data-dir': { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  })
  if (values.help) {
    output.out(upUsage)
    return exitCodes.ok
  }
  const configPath = values.config ?? defaultConfigPath
  const overrides = {
    ...(values.listen === undefined ? {} : { listen: values.listen }),
    ...(values['data-dir'] === undefined ? {} : { dataDir: values['data-dir'] }),
  }
  const running = await startTessera({
    configPath,
    overrides,
    ...(hooks.logger === undefined ? {} : { logger: hooks.logger }),
  })
  const config = running.config()
  const target = config.inventory.services[0]?.audiences[0]
  renderUpBanner(
    {
      issuer: running.issuer,
      url: running.url,
      storeFlags:
        ` --config ${shellWord(configPath)}` +
        (values['data-dir'] === undefined ? '' : ` --data-dir ${shellWord(values['data-dir'])}`),
      spiffeId: `spiffe://${config.issuer.trustDomain}/demo`,
      target: target === undefined ? '<AUDIENCE FROM THE INVENTORY>' : shellWord(target),
    },
    output,
  )
  try {
    await (hooks.stopped ?? untilSignal)(running)
    output.err('tessera: stopping (in-flight requests finish first)')
  } finally {
    await running.close()
  }
  return exitCodes.ok
}

/** Resolves on the first SIGINT or SIGTERM; the handlers are removed again afterwards. */
function untilSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const stop = (signal: NodeJS.Signals) => {
      process.off('SIGINT', stop)
      process.off('SIGTERM', stop)
      resolve(signal)
    }
    process.on('SIGINT', stop)
    process.on('SIGTERM', stop)
  })
}

// Quotes a value for a POSIX shell when it holds anything beyond a safe set of characters.
function shellWord(value: string): string {
  return /^[A-Za-z0-9_./:@%+=,-]+$/.test(value) ? value : `'${value.replaceAll("'", `'\\''`)}'`
}

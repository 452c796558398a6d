import { type Clock, systemClock } from '@tessera/verify'
import { type CompiledConfig, loadConfig } from '../config/index.ts'
import { openSqliteStores, type Stores } from '../store/index.ts'
import { usageError } from './usage-error.ts'

/** `--config` and `--data-dir` of the commands that work on the server's store directly. */
export interface StoreFlags {
  readonly config?: string | undefined
  readonly dataDir?: string | undefined
}

/** The default configuration file of every command. */
export const defaultConfigPath = './tessera.yaml'

/**
 * Loads the configuration and opens the same SQLite store the server uses, so a command run
 * beside `tessera up` (join tokens, key rotation) changes what the server reads. An in-memory
 * store lives only inside the server process, so it is refused here.
 * @throws {TesseraError} `invalid_config` (the file), `invalid_options` (a memory store),
 * `internal_error` (the store)
 */
export async function openConfiguredStore(
  flags: StoreFlags,
  options: { readonly env?: NodeJS.ProcessEnv; readonly clock?: Clock } = {},
): Promise<{ config: CompiledConfig; stores: Stores }> {
  const config = await loadConfig(flags.config ?? defaultConfigPath, {
    ...(options.env === undefined ? {} : { env: options.env }),
    ...(flags.dataDir === undefined ? {} : { overrides: { dataDir: flags.dataDir } }),
  })
  if (config.store.kind !== 'sqlite') {
    throw usageError(
      'store.kind is memory: the store lives inside the server process, so this command cannot reach it; use store.kind sqlite',
      'store',
    )
  }
  const stores = await openSqliteStores({
    dataDir: config.store.dataDir,
    clock: options.clock ?? systemClock,
  })
  return { config, stores }
}

import { type FSWatcher, watch } from 'node:fs'
import { basename, dirname } from 'node:path'
import { isTesseraError, TesseraError } from '@tessera/verify'
import { loadConfig } from './load.ts'
import type { CompiledConfig, ConfigOptions } from './types.ts'

/** Options of `watchConfig`: the load options, the two callbacks, and the debounce. */
export interface WatchConfigOptions extends ConfigOptions {
  /** Called with each configuration that loaded without a problem; the caller swaps it in. */
  onChange(config: CompiledConfig): void
  /**
   * Called when a reload fails — `invalid_config` with every problem — or the watch itself
   * fails (`internal_error`); the running configuration stays.
   */
  onError(error: TesseraError): void
  /** Quiet time after the last change before reloading, in milliseconds (default 100). */
  readonly debounceMs?: number
}

/** A running watch on a configuration file. */
export interface ConfigWatcher {
  /**
   * Loads the file now (off to the side) and calls `onChange` or `onError`. Reloads run one
   * at a time; a reload requested while one runs is done once after it. Also the trigger for
   * a signal (SIGHUP) and for tests.
   */
  reload(): Promise<void>
  /** Stops watching; no callback is called after it. */
  close(): void
}

/**
 * Watches `path` and reloads it when it changes. The directory is watched, not the file:
 * editors and config-management tools replace a file (write a new one, rename it over the
 * old), which ends a watch on the old file. Changes are debounced, the new file is loaded and
 * compiled completely before `onChange` sees it, and a file with problems is reported to
 * `onError` while the running configuration stays — reload never leaves a half-applied config.
 * The watch does not keep the process alive.
 * @example
 * ```ts
 * const watcher = watchConfig('tessera.yaml', {
 *   env: process.env,
 *   onChange: (next) => { current = next },
 *   onError: (error) => log.warn({ problems: error.problems }, 'configuration refused'),
 * })
 * ```
 */
export function watchConfig(path: string, options: WatchConfigOptions): ConfigWatcher {
  const { onChange, onError, debounceMs = 100, ...loadOptions } = options
  const file = basename(path)
  let closed = false
  let timer: NodeJS.Timeout | undefined
  let running: Promise<void> | undefined
  let queued: Promise<void> | undefined

  const loadOnce = async (): Promise<void> => {
    let next: CompiledConfig
    try {
      next = await loadConfig(path, loadOptions)
    } catch (error) {
      if (!closed) onError(asTesseraError(error))
      return
    }
    if (!closed) onChange(next)
  }

  const reload = (): Promise<void> => {
    if (running === undefined) {
      running = loadOnce().finally(() => {
        running = undefined
      })
      return running
    }
    // One reload after the running one covers every change requested meanwhile.
    queued ??= running.then(() => {
      queued = undefined
      return reload()
    })
    return queued
  }

  let watcher: FSWatcher | undefined
  try {
    watcher = watch(dirname(path), { persistent: false }, (_event, name) => {
      // Some platforms give no file name; then any change in the directory may be ours.
      if (closed || (name !== null && name !== file)) return
      clearTimeout(timer)
      timer = setTimeout(() => {
        reload().catch((error: unknown) => onError(asTesseraError(error)))
      }, debounceMs)
      timer.unref()
    })
    watcher.on('error', (error) => {
      if (!closed) onError(asTesseraError(error))
    })
  } catch (error) {
    onError(asTesseraError(error))
  }

  return {
    reload,
    close() {
      closed = true
      clearTimeout(timer)
      watcher?.close()
    },
  }
}

function asTesseraError(error: unknown): TesseraError {
  if (isTesseraError(error)) return error
  return new TesseraError({
    code: 'internal_error',
    message: `watching the configuration failed: ${(error as Error).message}`,
    cause: error,
  })
}

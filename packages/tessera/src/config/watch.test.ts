import assert from 'node:assert/strict'
import { renameSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { after, describe, it } from 'node:test'
import type { TesseraError } from '@tessera/verify'
import { stringify } from 'yaml'
import { configDir, minimal } from './testing/config-files.ts'
import type { CompiledConfig } from './types.ts'
import { watchConfig } from './watch.ts'

const files = configDir()
after(() => files.remove())

const withListen = (listen: string): string =>
  stringify({ ...minimal, server: { ...minimal.server, listen } })

// Collects the callbacks' calls; `next()` resolves on the next one.
function recorder() {
  const changes: CompiledConfig[] = []
  const errors: TesseraError[] = []
  let wake: (() => void) | undefined
  const notify = (): void => {
    wake?.()
    wake = undefined
  }
  return {
    changes,
    errors,
    onChange: (config: CompiledConfig) => {
      changes.push(config)
      notify()
    },
    onError: (error: TesseraError) => {
      errors.push(error)
      notify()
    },
    next: () => new Promise<void>((resolve) => (wake = resolve)),
  }
}

// A bound on waiting for a file-system event, so a missing event fails the test instead of
// hanging it; it is not a sleep: the test goes on as soon as the event arrives.
async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const bound = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no ${what} within ${ms} ms`)), ms)
  })
  try {
    return await Promise.race([promise, bound])
  } finally {
    clearTimeout(timer)
  }
}

describe('watchConfig', () => {
  it('reload() loads the file off to the side and hands over the new configuration', async () => {
    files.write('tessera.yaml', withListen('127.0.0.1:8081'))
    const calls = recorder()
    const watcher = watchConfig(files.path, calls)
    try {
      await watcher.reload()
      assert.equal(calls.errors.length, 0)
      assert.deepEqual(calls.changes[0]?.server.listen, { host: '127.0.0.1', port: 8081 })
      assert.ok(Object.isFrozen(calls.changes[0]))
    } finally {
      watcher.close()
    }
  })

  it('reports a bad file with every problem and hands over nothing, so the old configuration stays', async () => {
    files.write('tessera.yaml', 'server: { listen: 80 }\ntrustDomain: Example.org\n')
    const calls = recorder()
    const watcher = watchConfig(files.path, calls)
    try {
      await watcher.reload()
      assert.equal(calls.changes.length, 0)
      assert.equal(calls.errors[0]?.code, 'invalid_config')
      assert.deepEqual(calls.errors[0]?.problems, [
        { path: '/server/publicUrl', message: 'is required' },
        { path: '/server/listen', message: 'must be a string, got the number 80' },
        {
          path: '/trustDomain',
          message: 'must be lower-case (SPIFFE ID §2.1): write "example.org"',
        },
      ])
    } finally {
      watcher.close()
    }
  })

  it('passes the load options (overrides, environment) to every reload', async () => {
    files.write('tessera.yaml', withListen('127.0.0.1:8081'))
    const calls = recorder()
    const watcher = watchConfig(files.path, { ...calls, overrides: { listen: '127.0.0.1:0' } })
    try {
      await watcher.reload()
      assert.deepEqual(calls.changes[0]?.server.listen, { host: '127.0.0.1', port: 0 })
    } finally {
      watcher.close()
    }
  })

  it('runs one reload at a time and folds the requests made meanwhile into one more', async () => {
    files.write('tessera.yaml', withListen('127.0.0.1:8081'))
    const calls = recorder()
    const watcher = watchConfig(files.path, calls)
    try {
      const first = watcher.reload()
      const second = watcher.reload()
      const third = watcher.reload()
      assert.equal(second, third)
      await Promise.all([first, second, third])
      assert.equal(calls.changes.length, 2)
    } finally {
      watcher.close()
    }
  })

  it('calls nothing after close()', async () => {
    const calls = recorder()
    const watcher = watchConfig(files.path, calls)
    const pending = watcher.reload()
    watcher.close()
    await pending
    files.write('tessera.yaml', 'not: [valid')
    await watcher.reload()
    assert.deepEqual([calls.changes.length, calls.errors.length], [0, 0])
  })

  it('reloads when the file is replaced in place, as editors save', async () => {
    files.write('tessera.yaml', withListen('127.0.0.1:8081'))
    const calls = recorder()
    const watcher = watchConfig(files.path, { ...calls, debounceMs: 5 })
    try {
      const changed = calls.next()
      files.write('unrelated.txt', 'another file in the directory')
      const temporary = join(files.dir, '.tessera.yaml.swp')
      writeFileSync(temporary, withListen('127.0.0.1:9999'))
      renameSync(temporary, files.path)
      await within(changed, 10_000, 'reload after the file was replaced')
      assert.deepEqual(calls.changes.at(-1)?.server.listen, { host: '127.0.0.1', port: 9999 })
    } finally {
      watcher.close()
    }
  })

  it('reports a directory it cannot watch as internal_error', () => {
    const calls = recorder()
    const watcher = watchConfig(join(files.dir, 'missing', 'tessera.yaml'), calls)
    watcher.close()
    assert.equal(calls.errors[0]?.code, 'internal_error')
    assert.match(calls.errors[0]?.message ?? '', /^watching the configuration failed: /)
  })
})

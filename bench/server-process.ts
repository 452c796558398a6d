import { type ChildProcess, spawn } from 'node:child_process'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

/**
 * Starts a bench server (`bench/<file>`) as a child process and resolves with its first
 * `{ type: 'ready' }` message. The server's log lines go to our stderr, never into the JSON on
 * stdout; `profileDir` starts it with `--cpu-prof` (the profile is written when it stops).
 */
export function startServerProcess<Ready extends { readonly type: string }>(
  file: string,
  args: readonly string[],
  profileDir?: string,
): Promise<{ child: ChildProcess; ready: Ready }> {
  const here = dirname(fileURLToPath(import.meta.url))
  const profile = profileDir === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${profileDir}`]
  const child = spawn(
    process.execPath,
    ['--conditions=tessera-source', ...profile, join(here, file), ...args],
    { stdio: ['ignore', 'pipe', 'inherit', 'ipc'] },
  )
  child.stdout?.pipe(process.stderr)
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error('the bench server did not start in 60 s')),
      60_000,
    )
    child.once('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`the bench server exited with ${code} before it was ready`))
    })
    const onReady = (message: Ready) => {
      if (message.type !== 'ready') return
      clearTimeout(timer)
      child.removeAllListeners('exit')
      child.off('message', onReady)
      resolve({ child, ready: message })
    }
    child.on('message', onReady)
  })
}

/** Asks a bench server to stop and resolves when it has exited. */
export function stopServerProcess(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    child.once('exit', () => resolve())
    child.send({ type: 'stop' })
  })
}

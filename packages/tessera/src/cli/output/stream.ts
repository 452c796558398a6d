import { styleText } from 'node:util'

/** Where a command writes: stdout/stderr and whether colour is wanted. */
export interface Output {
  out(line: string): void
  err(line: string): void
  /** Colours text only when writing to a terminal that accepts colour. */
  style(format: 'green' | 'red' | 'yellow' | 'dim' | 'bold', text: string): string
}

/** The process's own streams; colour only on a TTY (and never with NO_COLOR). */
export function processOutput(): Output {
  const colour = process.stdout.isTTY === true && process.env.NO_COLOR === undefined
  return {
    out: (line) => {
      process.stdout.write(`${line}\n`)
    },
    err: (line) => {
      process.stderr.write(`${line}\n`)
    },
    style: (format, text) => (colour ? styleText(format, text) : text),
  }
}

/** An output that collects lines, for tests and for embedding the CLI. */
export function memoryOutput(): Output & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = []
  const stderr: string[] = []
  return {
    stdout,
    stderr,
    out: (line) => {
      stdout.push(line)
    },
    err: (line) => {
      stderr.push(line)
    },
    style: (_format, text) => text,
  }
}

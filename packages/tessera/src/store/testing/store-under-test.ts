import assert from 'node:assert/strict'
import type { TestContext } from 'node:test'
import { type Clock, TesseraError, type TesseraErrorJson } from '@tessera/verify'

/** A clock the contract suites move by hand: never a sleep. */
export interface TestClock {
  /** The clock to give the store: epoch seconds. */
  readonly now: Clock
  advance(seconds: number): void
  set(seconds: number): void
}

/** Returns a clock standing at `start` (epoch seconds) until moved. */
export function createTestClock(start = 1_800_000_000): TestClock {
  let time = start
  return {
    now: () => time,
    advance: (seconds) => {
      time += seconds
    },
    set: (seconds) => {
      time = seconds
    },
  }
}

/** What a contract suite's factory returns: a fresh, empty store on `clock`. */
export interface StoreUnderTest<S> {
  readonly store: S
  readonly clock: TestClock
  /** Releases the store (closes the database); the suite calls it after each test. */
  close(): Promise<void>
}

/** Makes a fresh store for each test of a contract suite. */
export type StoreFactory<S> = () => Promise<StoreUnderTest<S>>

/** Opens a store for one test and closes it when the test ends. */
export async function openForTest<S>(
  t: TestContext,
  factory: StoreFactory<S>,
): Promise<StoreUnderTest<S>> {
  const subject = await factory()
  t.after(() => subject.close())
  return subject
}

/**
 * An `assert.throws`/`rejects` validator: the error is a `TesseraError` whose public fields
 * (code, check, message, expected, actual, hint, problems) are exactly `want`.
 */
export function isTesseraErrorLike(want: TesseraErrorJson): (error: unknown) => true {
  return (error) => {
    assert.ok(error instanceof TesseraError, `expected a TesseraError, got ${String(error)}`)
    assert.deepEqual(error.toJSON(), want)
    return true
  }
}

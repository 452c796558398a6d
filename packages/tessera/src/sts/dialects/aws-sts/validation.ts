import { redact, TesseraError } from '@tessera/verify'

/**
 * Collects parameter problems the way STS reports them — `N validation error(s) detected:
 * Value 'v' at 'member' failed to satisfy constraint: …` joined by `; ` — so every problem of a
 * request is reported at once, in AWS's own sentence (cloud-semantics.md §1.5, ValidationError).
 */
export class ValidationErrors {
  readonly #action: string
  readonly #problems: string[] = []
  readonly #members: string[] = []

  /** @param action the STS action whose constraints are checked, named in the error's `expected` */
  constructor(action: 'AssumeRoleWithWebIdentity' | 'AssumeRoleWithSAML') {
    this.#action = action
  }

  /** Records that `member` (camelCase, as STS names it) broke `constraint`. */
  add(member: string, value: string | undefined, constraint: string, sensitive = false): void {
    const shown =
      value === undefined ? 'null' : sensitive ? "'***'" : `'${redact(value).replaceAll("'", '?')}'`
    this.#problems.push(`Value ${shown} at '${member}' failed to satisfy constraint: ${constraint}`)
    this.#members.push(member)
  }

  /** Checks a string's presence and length bounds, as the service model's shapes do. */
  length(member: string, value: string | undefined, min: number, max: number, sensitive = false) {
    if (value === undefined) this.add(member, value, 'Member must not be null')
    else if (value.length < min) {
      this.add(member, value, `Member must have length greater than or equal to ${min}`, sensitive)
    } else if (value.length > max) {
      this.add(member, value, `Member must have length less than or equal to ${max}`, sensitive)
    }
  }

  /**
   * @throws {TesseraError} `invalid_request` (answered as ValidationError) when any problem
   * was recorded
   */
  throwIfAny(): void {
    const count = this.#problems.length
    if (count === 0) return
    throw new TesseraError({
      code: 'invalid_request',
      check: 'request',
      message: `${count} validation error${count === 1 ? '' : 's'} detected: ${this.#problems.join('; ')}`,
      expected: `parameters within the ${this.#action} constraints`,
      actual: this.#members.map((m) => `${m} out of bounds`),
    })
  }
}

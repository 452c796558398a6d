import { ConfigReader } from '../config-json.ts'

/** A federated identity credential, as `az ad app federated-credential show` prints it. */
export interface FederatedCredential {
  readonly name: string
  readonly issuer: string
  readonly subject: string
  readonly audience: string
}

/** Entra allows at most this many federated credentials per application or identity. */
export const maxFederatedCredentials = 20
const maxFieldChars = 600

/**
 * Parses one credential: `{name, issuer, subject, audiences, description, id}`. Entra requires
 * exactly one audience; flexible credentials (`claimsMatchingExpression`) are not modelled.
 * @throws {TesseraError} `invalid_config` listing every problem
 */
export function parseFederatedCredential(text: string, source: string): FederatedCredential {
  const read = new ConfigReader(`Azure federated credential file ${JSON.stringify(source)}`)
  const doc = read.object(text)
  if (doc === undefined) return read.done() as never
  const name = read.string(doc, 'name', 'name')
  const issuer = read.string(doc, 'issuer', 'issuer')
  const subject = read.string(doc, 'subject', 'subject')
  const audiences = read.strings(doc, 'audiences', 'audiences')
  if (audiences !== undefined && audiences.length !== 1)
    read.problem('audiences', 'Federated identity credentials must have exactly one audience.')
  for (const [field, value] of [
    ['issuer', issuer],
    ['subject', subject],
    ['audiences[0]', audiences?.[0]],
  ] as const)
    if (value !== undefined && value.length > maxFieldChars)
      read.problem(field, `Entra allows at most ${maxFieldChars} characters`)
  read.done()
  return Object.freeze({
    name: name as string,
    issuer: issuer as string,
    subject: subject as string,
    audience: (audiences as string[])[0] as string,
  })
}

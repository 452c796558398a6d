import { ConfigReader } from '../config-json.ts'

/** An IAM OIDC provider as `aws iam get-open-id-connect-provider` prints it. */
export interface AwsOidcProvider {
  /** Host and path, without scheme, exactly as IAM stores it (e.g. `token.actions.githubusercontent.com`). */
  readonly url: string
  readonly clientIds: readonly string[]
  readonly thumbprints: readonly string[]
}

/** IAM allows at most this many client ids per provider. */
export const maxClientIds = 100

/**
 * Parses the JSON of `aws iam get-open-id-connect-provider`: `{Url, ClientIDList,
 * ThumbprintList, CreateDate, Tags}`. The CLI prints `Url` without `https://`; a URL pasted
 * with its scheme is accepted and stored without it, as IAM does.
 * @throws {TesseraError} `invalid_config` listing every problem
 */
export function parseAwsProvider(text: string, source: string): AwsOidcProvider {
  const read = new ConfigReader(`AWS OIDC provider file ${JSON.stringify(source)}`)
  const doc = read.object(text)
  if (doc === undefined) return read.done() as never
  const url = read.string(doc, 'Url', 'Url')
  const clientIds = read.strings(doc, 'ClientIDList', 'ClientIDList')
  const thumbprints = read.strings(doc, 'ThumbprintList', 'ThumbprintList', true)
  if (clientIds !== undefined && clientIds.length === 0)
    read.problem('ClientIDList', 'IAM requires at least one client id (audience)')
  if (clientIds !== undefined && clientIds.length > maxClientIds)
    read.problem('ClientIDList', `IAM allows at most ${maxClientIds} client ids`)
  if (url !== undefined && /[?#]/.test(url)) read.problem('Url', 'IAM provider URLs have no query')
  read.done()
  return Object.freeze({
    url: (url as string).replace(/^https:\/\//i, ''),
    clientIds: Object.freeze([...(clientIds as string[])]),
    thumbprints: Object.freeze([...(thumbprints as string[])]),
  })
}

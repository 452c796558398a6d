import { createPrivateKey, type KeyObject, X509Certificate } from 'node:crypto'
import { resolve } from 'node:path'
import type { Clock, Problem } from '@tessera/verify'
import { readBoundedFileSync } from '../read-bounded-file.ts'
import type { ServerSettings } from '../types.ts'
import { type ListenAddress, parseListenAddress } from './listen-address.ts'
import { checkPublicUrl } from './public-url.ts'
import { type ServerSection, serverDefaults } from './server.ts'

/** What compiling `server` needs besides the section. */
export interface ServerContext {
  /** Directory the TLS file paths are relative to. */
  readonly baseDir: string
  /** Now, for the certificate's validity period. */
  readonly clock: Clock
  /** False for a field (`listen`, `publicUrl`, `tls`) that has schema problems: it is skipped. */
  readonly clean: (field: 'listen' | 'grpcListen' | 'publicUrl' | 'tls') => boolean
}

/**
 * Compiles the `server` section (defaults already applied): parses `listen`, checks
 * `publicUrl`, reads and checks the TLS certificate and key — each field that passed the
 * schema, so one bad field does not hide another's problem. Appends every problem to
 * `problems`; returns undefined when there was one, or a field was skipped.
 */
export function compileServer(
  section: ServerSection,
  context: ServerContext,
  problems: Problem[],
): ServerSettings | undefined {
  const { clean } = context
  let listen: ListenAddress | undefined
  if (clean('listen')) {
    const parsed = parseListenAddress(section.listen ?? serverDefaults.listen)
    if ('problem' in parsed) problems.push({ path: '/server/listen', message: parsed.problem })
    else listen = parsed
  }
  let grpcListen: ListenAddress | undefined
  if (section.grpcListen !== undefined && clean('grpcListen')) {
    const parsed = parseListenAddress(section.grpcListen)
    if ('problem' in parsed) problems.push({ path: '/server/grpcListen', message: parsed.problem })
    else grpcListen = parsed
  }
  let publicUrl: string | undefined
  if (clean('publicUrl')) {
    const problem = checkPublicUrl(section.publicUrl)
    if (problem === undefined) publicUrl = section.publicUrl
    else problems.push({ path: '/server/publicUrl', message: problem })
  }
  const tlsWanted = section.tls !== undefined
  const tls =
    section.tls !== undefined && clean('tls') ? readTls(section.tls, context, problems) : undefined
  if (
    listen === undefined ||
    publicUrl === undefined ||
    (tlsWanted && tls === undefined) ||
    (section.grpcListen !== undefined && grpcListen === undefined)
  )
    return undefined
  return {
    listen,
    ...(grpcListen === undefined ? {} : { grpcListen }),
    publicUrl,
    ...(tls === undefined ? {} : { tls }),
    bodyLimitBytes: section.bodyLimitBytes ?? serverDefaults.bodyLimitBytes,
    requestTimeoutMs: section.requestTimeoutMs ?? serverDefaults.requestTimeoutMs,
  }
}

function readPem(
  file: string,
  field: 'certFile' | 'keyFile',
  baseDir: string,
  problems: Problem[],
): string | undefined {
  const read = readBoundedFileSync(resolve(baseDir, file))
  if ('bytes' in read) return read.bytes.toString('utf8')
  problems.push({
    path: `/server/tls/${field}`,
    message: `cannot read ${JSON.stringify(file)}: ${read.problem}`,
  })
  return undefined
}

// The files are checked now so that a bad certificate fails `tessera lint` and a reload,
// not the first TLS handshake. Their contents never enter a message.
function readTls(
  files: NonNullable<ServerSection['tls']>,
  context: ServerContext,
  problems: Problem[],
): { cert: string; key: string } | undefined {
  const cert = readPem(files.certFile, 'certFile', context.baseDir, problems)
  const key = readPem(files.keyFile, 'keyFile', context.baseDir, problems)
  let certificate: X509Certificate | undefined
  let privateKey: KeyObject | undefined
  if (cert !== undefined) {
    try {
      certificate = new X509Certificate(cert)
    } catch {
      problems.push({
        path: '/server/tls/certFile',
        message: `${JSON.stringify(files.certFile)} is not a PEM certificate`,
      })
    }
  }
  if (key !== undefined) {
    try {
      privateKey = createPrivateKey(key)
    } catch {
      problems.push({
        path: '/server/tls/keyFile',
        message: `${JSON.stringify(files.keyFile)} is not a PEM private key`,
      })
    }
  }
  if (certificate !== undefined) {
    const now = context.clock() * 1000
    if (Date.parse(certificate.validTo) < now) {
      problems.push({
        path: '/server/tls/certFile',
        message: `the certificate expired at ${new Date(certificate.validTo).toISOString()}`,
      })
    } else if (Date.parse(certificate.validFrom) > now) {
      problems.push({
        path: '/server/tls/certFile',
        message: `the certificate is not valid before ${new Date(certificate.validFrom).toISOString()}`,
      })
    }
    if (privateKey !== undefined && !certificate.checkPrivateKey(privateKey)) {
      problems.push({
        path: '/server/tls/keyFile',
        message: `${JSON.stringify(files.keyFile)} is not the private key of the certificate in ${JSON.stringify(files.certFile)}`,
      })
    }
  }
  if (
    cert === undefined ||
    key === undefined ||
    certificate === undefined ||
    privateKey === undefined
  )
    return undefined
  return { cert, key }
}

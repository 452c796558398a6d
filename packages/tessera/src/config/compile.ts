import { resolve } from 'node:path'
import { isTesseraError, type Problem, quote, systemClock } from '@tessera/verify'
import { Value } from 'typebox/value'
import { checkCloudExport } from '../cloud/index.ts'
import { type CompiledPolicySet, compilePolicies } from '../policy/index.ts'
import { cloudDialectPolicies, serviceAccountMemberProblems } from '../sts/index.ts'
import { deepFreeze } from './deep-freeze.ts'
import { pointer } from './json-pointer.ts'
import { type ConfigDocument, configSchema } from './schema.ts'
import { checkInventory } from './sections/check-inventory.ts'
import { compileIssuer } from './sections/compile-issuer.ts'
import { compileSaml } from './sections/compile-saml.ts'
import { compileServer } from './sections/compile-server.ts'
import { compileTrustedIssuers } from './sections/compile-trusted-issuers.ts'
import { parseListenAddress } from './sections/listen-address.ts'
import type { LogLevel } from './sections/telemetry.ts'
import { checkTrustDomain } from './sections/trust-domain.ts'
import type { CompiledConfig, ConfigOptions } from './types.ts'

/** Where the document came from, and the caller's options. */
export interface CompileContext extends ConfigOptions {
  /** The file's path or a label; becomes `CompiledConfig.source`. */
  readonly source: string
  /** Directory relative paths in the document are resolved against. */
  readonly baseDir: string
}

type Sections = Required<ConfigDocument>

// The raw document's value at a path when it is a string: enough for checks that only need it.
function stringAt(document: unknown, ...path: string[]): string | undefined {
  let node = document
  for (const key of path) {
    node =
      typeof node === 'object' && node !== null ? (node as Record<string, unknown>)[key] : undefined
  }
  return typeof node === 'string' ? node : undefined
}

function isObject(value: unknown): value is object {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

// SAML IdPs are issuers to policies too: by the entity ID written, or the metadata file's.
function trustedIssuerNames(document: unknown, samlEntityIds: readonly string[]): string[] {
  const list = (document as { trustedIssuers?: unknown }).trustedIssuers
  const idps = (document as { samlIdps?: unknown }).samlIdps
  return [
    ...(Array.isArray(list) ? list.flatMap((entry) => stringAt(entry, 'issuer') ?? []) : []),
    ...(Array.isArray(idps) ? idps.flatMap((entry) => stringAt(entry, 'entityId') ?? []) : []),
    ...samlEntityIds,
  ]
}

/**
 * The semantic step after schema validation: applies defaults and overrides, then runs each
 * check — listen address, publicUrl, TLS files, trust domain, trusted issuers and their key
 * files, inventory, issuer timings and key-encryption-key reference, and the policies
 * (`compilePolicies`, whose problems are merged in). A check runs on every value that passed
 * the schema — a value with a schema problem, or under or above one, is skipped — so the
 * caller gets every problem at once without follow-on noise. Appends to `problems`; returns
 * undefined when there is any.
 */
export function compileConfig(
  document: unknown,
  problems: Problem[],
  context: CompileContext,
): CompiledConfig | undefined {
  // A root that is not a mapping has nothing to compile.
  if (problems.some((p) => p.path === '')) return undefined
  const schemaPaths = problems.map((p) => p.path)
  const clean = (...tokens: (string | number)[]): boolean => {
    const path = pointer(...tokens)
    return !schemaPaths.some(
      (p) => p === path || p.startsWith(`${path}/`) || path.startsWith(`${p}/`),
    )
  }
  const doc = Value.Default(configSchema, structuredClone(document)) as Sections
  const { overrides = {}, baseDir } = context

  // Overrides (CLI flags) win over the file; a bad one is reported at the key it replaces.
  if (overrides.listen !== undefined && isObject(doc.server)) {
    const listen = parseListenAddress(overrides.listen)
    if ('problem' in listen) {
      problems.push({
        path: '/server/listen',
        message: `override ${quote(overrides.listen)}: ${listen.problem}`,
      })
    } else doc.server.listen = overrides.listen
  }
  if (overrides.dataDir === '') {
    problems.push({ path: '/store/dataDir', message: 'override "": must not be empty' })
  }

  const server = isObject(doc.server)
    ? compileServer(
        doc.server,
        { baseDir, clock: context.clock ?? systemClock, clean: (field) => clean('server', field) },
        problems,
      )
    : undefined
  if (clean('trustDomain')) {
    const problem = checkTrustDomain(doc.trustDomain)
    if (problem !== undefined) problems.push({ path: '/trustDomain', message: problem })
  }
  const dataDir = overrides.dataDir
    ? resolve(context.cwd ?? process.cwd(), overrides.dataDir)
    : clean('store', 'dataDir')
      ? resolve(baseDir, doc.store.dataDir as string)
      : undefined
  const issuer = isObject(doc.issuer)
    ? compileIssuer(
        doc.issuer,
        {
          ...(dataDir === undefined ? {} : { dataDir }),
          ...(context.env === undefined ? {} : { env: context.env }),
          clean: (field) => clean('issuer', field),
        },
        problems,
      )
    : undefined
  const trustedIssuers = Array.isArray(doc.trustedIssuers)
    ? compileTrustedIssuers(
        doc.trustedIssuers,
        {
          baseDir,
          ...(server === undefined ? {} : { publicUrl: server.publicUrl }),
          clean: (i) => clean('trustedIssuers', i),
        },
        problems,
      )
    : undefined
  const saml = Array.isArray(doc.samlIdps)
    ? compileSaml(
        doc.samlIdps,
        doc.saml,
        {
          baseDir,
          clock: context.clock ?? systemClock,
          ...(context.env === undefined ? {} : { env: context.env }),
          cleanIdp: (i) => clean('samlIdps', i),
          cleanSection: clean('saml'),
        },
        problems,
      )
    : undefined
  const inventoryProblems = clean('inventory') ? checkInventory(doc.inventory) : []
  problems.push(...inventoryProblems)

  let policies: CompiledPolicySet | undefined
  // A publicUrl or trust domain with a problem of its own still serves the policy checks.
  const publicUrl = stringAt(document, 'server', 'publicUrl')
  const trustDomain = stringAt(document, 'trustDomain')
  if (clean('inventory') && publicUrl !== undefined && trustDomain !== undefined) {
    try {
      // With broken policies, compiling none still runs the inventory checks policy owns.
      const own = clean('policies') ? doc.policies : []
      const implied = clean('clouds') ? cloudDialectPolicies(doc.clouds, publicUrl) : []
      policies = compilePolicies([...own, ...implied], {
        inventory: doc.inventory,
        trustDomain,
        issuerUrl: publicUrl,
        trustedIssuers: trustedIssuerNames(document, saml?.idps.map((idp) => idp.entityId) ?? []),
      })
    } catch (error) {
      if (!isTesseraError(error) || error.code !== 'invalid_config') throw error
      // checkInventory reported these paths already, naming both services.
      const reported = new Set(inventoryProblems.map((p) => p.path))
      for (const p of error.problems ?? []) if (!reported.has(p.path)) problems.push(p)
    }
  }

  // The real clouds' roles, pools and identities name inventory audiences and workloads.
  if (clean('clouds') && clean('inventory') && publicUrl !== undefined && trustDomain !== undefined)
    problems.push(
      ...checkCloudExport(doc.clouds, {
        inventory: doc.inventory,
        trustDomain,
        issuerUrl: publicUrl,
      }),
    )
  // A service account bound to a pool no provider serves would be refused to everyone.
  if (clean('clouds')) problems.push(...serviceAccountMemberProblems(doc.clouds.gcp))
  if (problems.length > 0) return undefined
  // No problem anywhere: every section compiled, so every value below is defined.
  const compiled = server as NonNullable<typeof server>
  const { settings, keyEncryptionKey } = issuer as Required<NonNullable<typeof issuer>>
  return deepFreeze({
    server: compiled,
    issuer: { issuerUrl: compiled.publicUrl, trustDomain: doc.trustDomain, ...settings },
    keyEncryptionKey: keyEncryptionKey as NonNullable<typeof keyEncryptionKey>,
    trustedIssuers: trustedIssuers as NonNullable<typeof trustedIssuers>,
    samlIdps: saml?.idps ?? [],
    ...(saml?.saml === undefined ? {} : { saml: saml.saml }),
    inventory: doc.inventory,
    policies: policies as CompiledPolicySet,
    clouds: doc.clouds,
    store: { kind: doc.store.kind as 'sqlite' | 'memory', dataDir: dataDir as string },
    telemetry: { logLevel: doc.telemetry.logLevel as LogLevel },
    source: context.source,
  })
}

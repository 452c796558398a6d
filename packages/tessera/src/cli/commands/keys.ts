import { parseArgs } from 'node:util'
import { quote, systemClock } from '@tessera/verify'
import { createKeyManager, type KeyManager, loadKeyEncryptionKey } from '../../issuer/index.ts'
import { exitCodes } from '../exit-codes.ts'
import { openConfiguredStore } from '../open-store.ts'
import { keyInfo, renderKeysTable } from '../output/keys-table.ts'
import type { Output } from '../output/stream.ts'
import { formatTime } from '../output/time.ts'
import { usageError } from '../usage-error.ts'

const storeOptions = {
  config: { type: 'string', short: 'c' },
  'data-dir': { type: 'string' },
  help: { type: 'boolean', short: 'h', default: false },
} as const

const storeNote = `Works on the server's store directly (--config, default ./tessera.yaml; --data-dir
overrides store.dataDir). A running server applies the change at its next key-lifecycle step
(at most a minute later).`

export const keysListUsage = `usage: tessera keys list [--json] [--config FILE] [--data-dir DIR]

Lists the issuer's signing keys: pending (published, not yet signing), active, retired (still
published until their tokens expire) and revoked. No private material is shown.`

export const keysRotateUsage = `usage: tessera keys rotate [--immediate] [--config FILE] [--data-dir DIR]

Pre-publishes a new signing key now; it starts signing after issuer.prePublishSeconds, when
every verifier has seen it. --immediate makes it sign at once: verifiers that cached the JWKS
fail with unknown_key until they refresh it, so keep it for a compromised key.
${storeNote}`

export const keysRevokeUsage = `usage: tessera keys revoke KID [--config FILE] [--data-dir DIR]

Unpublishes a key at once: tokens it signed fail with unknown_key at each verifier's next JWKS
refresh. Revoking the active key activates a new one.
${storeNote}`

/** `tessera keys list`: reads the key store (no key-encryption key needed, nothing changes). */
export async function runKeysList(argv: readonly string[], output: Output): Promise<number> {
  const { values } = parseArgs({
    args: [...argv],
    strict: true,
    options: { ...storeOptions, json: { type: 'boolean', default: false } },
  })
  if (values.help) {
    output.out(keysListUsage)
    return exitCodes.ok
  }
  const { stores } = await openConfiguredStore({
    config: values.config,
    dataDir: values['data-dir'],
  })
  try {
    const keys = (await stores.keys.list()).map(keyInfo)
    if (values.json) output.out(JSON.stringify(keys))
    else renderKeysTable(keys, output)
  } finally {
    await stores.close()
  }
  return exitCodes.ok
}

/** `tessera keys rotate`: pre-publishes (or with `--immediate` activates) a new key. */
export async function runKeysRotate(argv: readonly string[], output: Output): Promise<number> {
  const { values } = parseArgs({
    args: [...argv],
    strict: true,
    options: { ...storeOptions, immediate: { type: 'boolean', default: false } },
  })
  if (values.help) {
    output.out(keysRotateUsage)
    return exitCodes.ok
  }
  return withKeyManager(values, async (keys) => {
    const key = await keys.rotate({ immediate: values.immediate })
    output.out(`${key.kid} ${key.state}, signs from ${formatTime(key.activatesAt)}`)
    if (values.immediate)
      output.err(
        'the new key signs now: verifiers that cached the JWKS refresh it on the unknown kid',
      )
  })
}

/** `tessera keys revoke KID`: unpublishes a key (replacing it when it was the active one). */
export async function runKeysRevoke(argv: readonly string[], output: Output): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...argv],
    strict: true,
    allowPositionals: true,
    options: storeOptions,
  })
  if (values.help) {
    output.out(keysRevokeUsage)
    return exitCodes.ok
  }
  if (positionals.length !== 1)
    throw usageError(`expected one KID, got ${positionals.length}`, 'kid')
  const kid = positionals[0] as string
  return withKeyManager(values, async (keys) => {
    const known = keys.list().find((k) => k.kid === kid)
    if (known === undefined)
      throw usageError(`no signing key ${quote(kid)}: \`tessera keys list\` shows the kids`, 'kid')
    await keys.revoke(kid)
    output.out(`${kid} revoked`)
    const active = keys.list().find((k) => k.state === 'active')
    if (known.state === 'active' && active !== undefined)
      output.out(`${active.kid} active (replaces the revoked key)`)
  })
}

/** Opens the store and the key-encryption key, loads the keys, runs `action`, closes. */
async function withKeyManager(
  flags: { readonly config?: string | undefined; readonly 'data-dir'?: string | undefined },
  action: (keys: KeyManager) => Promise<void>,
): Promise<number> {
  const { config, stores } = await openConfiguredStore(
    { config: flags.config, dataDir: flags['data-dir'] },
    { env: process.env },
  )
  try {
    const kek = await loadKeyEncryptionKey(config.keyEncryptionKey, process.env)
    const keys = createKeyManager({
      store: stores.keys,
      settings: config.issuer,
      kek,
      clock: systemClock,
    })
    // Brings the lifecycle up to date first, exactly as the server's next step would, so the
    // manual change applies to the current set of keys.
    await keys.ensure()
    await action(keys)
  } finally {
    await stores.close()
  }
  return exitCodes.ok
}

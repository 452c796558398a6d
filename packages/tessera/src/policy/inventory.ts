import type { Problem } from '@tessera/verify'
import { quote } from '@tessera/verify'
import type { Inventory, InventoryService } from './types.ts'

/** An inventory audience and the service it belongs to. */
export interface ResolvedTarget {
  readonly audience: string
  readonly service: string
}

/** What a target string names in the inventory: a whole service, or one audience of one. */
export type InventoryEntry =
  | { readonly kind: 'service'; readonly service: InventoryService }
  | { readonly kind: 'audience'; readonly service: InventoryService; readonly audience: string }

/** The inventory indexed once for lookups by service name and by audience. */
export interface InventoryIndex {
  /** Every service name, then every audience, in inventory order (candidates for near misses). */
  readonly names: readonly string[]
  resolve(target: string): InventoryEntry | undefined
  /** A service name resolves to its first audience; an audience to itself and its service. */
  audiencesFor(target: string): ResolvedTarget | undefined
}

/**
 * Indexes the inventory and reports what would make a target ambiguous: a service name used
 * twice, an audience listed twice (in one service or two), a service name equal to an audience.
 * Paths are JSON pointers under `/inventory`.
 */
export function indexInventory(inventory: Inventory): {
  readonly index: InventoryIndex
  readonly problems: readonly Problem[]
} {
  const problems: Problem[] = []
  const byName = new Map<string, InventoryService>()
  const byAudience = new Map<string, InventoryService>()
  inventory.services.forEach((service, i) => {
    const path = `/inventory/services/${i}`
    if (byName.has(service.name)) {
      problems.push({
        path: `${path}/name`,
        message: `service name ${quote(service.name)} is used by an earlier service`,
      })
    } else byName.set(service.name, service)
    service.audiences.forEach((audience, j) => {
      const owner = byAudience.get(audience)
      if (owner !== undefined) {
        problems.push({
          path: `${path}/audiences/${j}`,
          message: `audience ${quote(audience)} is already listed by service ${quote(owner.name)}`,
        })
      } else byAudience.set(audience, service)
    })
  })
  inventory.services.forEach((service, i) => {
    const owner = byAudience.get(service.name)
    if (owner !== undefined) {
      problems.push({
        path: `/inventory/services/${i}/name`,
        message: `service name ${quote(service.name)} is also an audience of service ${quote(owner.name)}, so a target naming it would be ambiguous`,
      })
    }
  })
  const resolve = (target: string): InventoryEntry | undefined => {
    const service = byName.get(target)
    if (service !== undefined) return { kind: 'service', service }
    const owner = byAudience.get(target)
    return owner === undefined ? undefined : { kind: 'audience', service: owner, audience: target }
  }
  const index: InventoryIndex = Object.freeze({
    names: Object.freeze([...byName.keys(), ...byAudience.keys()]),
    resolve,
    audiencesFor(target: string): ResolvedTarget | undefined {
      const entry = resolve(target)
      if (entry === undefined) return undefined
      const audience = entry.kind === 'audience' ? entry.audience : entry.service.audiences[0]
      return audience === undefined ? undefined : { audience, service: entry.service.name }
    },
  })
  return { index, problems }
}

import { type Problem, quote } from '@tessera/verify'
import type { Inventory } from '../../policy/index.ts'
import { pointer } from '../json-pointer.ts'

/**
 * Checks that the inventory names each service once and gives each audience to one service:
 * an audience identifies the receiving service, so one listed twice would let a token minted
 * for one service be accepted by the other. A problem names both services.
 */
export function checkInventory(inventory: Inventory): Problem[] {
  const problems: Problem[] = []
  const names = new Map<string, number>()
  const owners = new Map<
    string,
    { readonly index: number; readonly service: string; readonly path: string }
  >()
  inventory.services.forEach((service, i) => {
    const first = names.get(service.name)
    if (first === undefined) names.set(service.name, i)
    else {
      problems.push({
        path: pointer('inventory', 'services', i, 'name'),
        message: `service name ${quote(service.name)} is already used by ${pointer('inventory', 'services', first)}: each service is listed once`,
      })
    }
    service.audiences.forEach((audience, j) => {
      const path = pointer('inventory', 'services', i, 'audiences', j)
      const owner = owners.get(audience)
      if (owner === undefined) owners.set(audience, { index: i, service: service.name, path })
      else {
        problems.push({
          path,
          message:
            owner.index === i
              ? `audience ${quote(audience)} is listed twice in service ${quote(service.name)}`
              : `audience ${quote(audience)} is in both ${quote(owner.service)} (${owner.path}) and ${quote(service.name)}: an audience identifies exactly one service`,
        })
      }
    })
  })
  return problems
}

import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { Static } from 'typebox'
import { Value } from 'typebox/value'
import { inventorySchema, policySchema } from './schema.ts'
import { ciDeploy, context } from './testing/fixtures.ts'
import type { Inventory, PolicyConfig } from './types.ts'

// Type-level: what the schema validates is what compile accepts.
const _policy: PolicyConfig = {} as Static<typeof policySchema>
const _inventory: Inventory = {} as Static<typeof inventorySchema>
void _policy
void _inventory

const paths = (schema: typeof policySchema | typeof inventorySchema, value: unknown): string[] =>
  [...Value.Errors(schema, value)].map((e) => e.instancePath)

// Every property of every object schema, at any depth, with its JSON pointer.
function* fields(schema: unknown, at = ''): Generator<[string, Record<string, unknown>]> {
  if (schema === null || typeof schema !== 'object') return
  const node = schema as Record<string, unknown>
  for (const key of ['properties', 'patternProperties'] as const) {
    const children = node[key] as Record<string, Record<string, unknown>> | undefined
    for (const [name, child] of Object.entries(children ?? {})) {
      yield [`${at}/${name}`, child]
      yield* fields(child, `${at}/${name}`)
    }
  }
  for (const key of ['anyOf', 'items'] as const) {
    const nested = node[key]
    for (const child of Array.isArray(nested) ? nested : [nested]) yield* fields(child, at)
  }
}

describe('policySchema', () => {
  it('accepts the example policy of main-job.md and every field written out', () => {
    assert.deepEqual(paths(policySchema, ciDeploy), [])
    const full = {
      ...ciDeploy,
      effect: 'allow',
      use: 'exchange',
      audience: ['a', 'b'],
      claims: { a: 'x', b: 1, c: true, d: ['x', 2, false] },
      output: { subject: '{sub}', claims: { team: '{claims.team}' } },
      singleUse: true,
      actor: { issuer: 'https://x', subject: '*', requireMayAct: true },
    }
    assert.deepEqual(paths(policySchema, full), [])
  })

  it('rejects unknown keys at every level so a typo is an error', () => {
    assert.ok(paths(policySchema, { ...ciDeploy, subjects: 'x' }).includes('/subjects'))
    assert.ok(
      paths(policySchema, {
        ...ciDeploy,
        condition: { expression: 'true', message: 'm', msg: 'x' },
      }).includes('/condition/msg'),
    )
    assert.ok(paths(policySchema, { ...ciDeploy, output: { sub: 'x' } }).includes('/output/sub'))
    assert.ok(
      paths(policySchema, { ...ciDeploy, actor: { issuer: 'x', iss: 'y' } }).includes('/actor/iss'),
    )
  })

  it('rejects wrong shapes: empty targets, a zero lifetime, an unknown effect, an object claim', () => {
    assert.ok(paths(policySchema, { ...ciDeploy, targets: [] }).includes('/targets'))
    assert.ok(paths(policySchema, { ...ciDeploy, maxTtlSeconds: 0 }).includes('/maxTtlSeconds'))
    assert.ok(paths(policySchema, { ...ciDeploy, effect: 'permit' }).includes('/effect'))
    assert.ok(paths(policySchema, { ...ciDeploy, claims: { a: { b: 1 } } }).includes('/claims/a'))
    assert.deepEqual(
      [...Value.Errors(policySchema, { name: 'x' })].map((e) => e.message),
      ['must have required properties issuer'],
    )
  })

  it('describes every field and forbids additional properties on every object', () => {
    const root = policySchema as unknown as Record<string, unknown>
    assert.equal(root.additionalProperties, false)
    assert.equal(typeof root.description, 'string')
    const all = [...fields(policySchema)]
    assert.ok(all.length >= 18)
    for (const [path, field] of all) {
      assert.equal(typeof field.description, 'string', `${path} has no description`)
      if (field.type === 'object' && field.properties !== undefined) {
        assert.equal(field.additionalProperties, false, path)
      }
    }
  })
})

describe('inventorySchema', () => {
  it('accepts the inventory of the fixtures', () => {
    assert.deepEqual(paths(inventorySchema, context.inventory), [])
  })

  it('rejects a service without audiences, an unknown key, and a missing services list', () => {
    assert.ok(
      paths(inventorySchema, { services: [{ name: 'a', audiences: [] }] }).includes(
        '/services/0/audiences',
      ),
    )
    assert.ok(
      paths(inventorySchema, { services: [{ name: 'a', audiences: ['x'], team: 'y' }] }).includes(
        '/services/0/team',
      ),
    )
    assert.ok(paths(inventorySchema, {}).includes(''))
  })

  it('describes every field and forbids additional properties', () => {
    const root = inventorySchema as unknown as Record<string, unknown>
    assert.equal(root.additionalProperties, false)
    for (const [path, field] of fields(inventorySchema)) {
      assert.equal(typeof field.description, 'string', `${path} has no description`)
    }
  })
})

import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { configSchema, jsonSchemaDialect, renderSchemaJson } from './schema.ts'

type Node = Record<string, unknown>

// Every object schema in the tree, with its JSON pointer in the schema.
function* objects(node: unknown, path = '#'): Generator<[string, Node]> {
  if (typeof node !== 'object' || node === null) return
  if (Array.isArray(node)) {
    for (const [i, item] of node.entries()) yield* objects(item, `${path}/${i}`)
    return
  }
  const schema = node as Node
  if (schema.type === 'object') yield [path, schema]
  for (const [key, value] of Object.entries(schema)) yield* objects(value, `${path}/${key}`)
}

describe('configSchema', () => {
  it('refuses additional properties in every object but a JWK (an open member set)', () => {
    const open: string[] = []
    for (const [path, schema] of objects(JSON.parse(renderSchemaJson()))) {
      if (schema.properties !== undefined && schema.additionalProperties !== false) open.push(path)
    }
    assert.deepEqual(open, [
      '#/properties/trustedIssuers/items/properties/jwks/properties/keys/items',
    ])
  })

  it('describes every property, so the published schema documents the file', () => {
    const undocumented: string[] = []
    for (const [path, schema] of objects(JSON.parse(renderSchemaJson()))) {
      for (const [key, property] of Object.entries(
        (schema.properties ?? {}) as Record<string, Node>,
      )) {
        if (typeof property.description !== 'string') undocumented.push(`${path}/properties/${key}`)
      }
    }
    assert.deepEqual(undocumented, [])
  })

  it('has the sections of the contract, server and trustDomain required', () => {
    assert.deepEqual(Object.keys(configSchema.properties), [
      'server',
      'trustDomain',
      'issuer',
      'trustedIssuers',
      'samlIdps',
      'saml',
      'inventory',
      'policies',
      'clouds',
      'store',
      'telemetry',
    ])
    assert.deepEqual(configSchema.required, ['server', 'trustDomain'])
  })
})

describe('renderSchemaJson', () => {
  it('is stable, pretty JSON with a trailing newline that declares its dialect, title and description', () => {
    const text = renderSchemaJson()
    assert.equal(text, renderSchemaJson())
    assert.ok(text.endsWith('}\n'))
    assert.match(text, /^\{\n {2}"\$schema": /)
    const schema = JSON.parse(text) as Node
    assert.deepEqual(Object.keys(schema).slice(0, 3), ['$schema', 'title', 'description'])
    assert.equal(schema.$schema, jsonSchemaDialect)
    assert.equal(schema.title, 'tessera.yaml')
  })
})

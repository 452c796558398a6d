import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { Value } from 'typebox/value'
import { storeSectionSchema } from './schema.ts'

describe('storeSectionSchema', () => {
  it('defaults to SQLite in ./.tessera', () => {
    assert.deepEqual(Value.Default(storeSectionSchema, {}), {
      kind: 'sqlite',
      dataDir: './.tessera',
    })
  })

  it('accepts both kinds and any non-empty directory', () => {
    for (const section of [{}, { kind: 'memory' }, { kind: 'sqlite', dataDir: '/var/lib/t' }]) {
      assert.equal(Value.Check(storeSectionSchema, section), true, JSON.stringify(section))
    }
  })

  it('refuses an unknown kind, an empty directory and an unknown key', () => {
    for (const section of [{ kind: 'postgres' }, { dataDir: '' }, { datadir: './x' }, null]) {
      assert.equal(Value.Check(storeSectionSchema, section), false, JSON.stringify(section))
    }
  })

  it('describes the section and each key, and forbids additional properties', () => {
    // The published JSON Schema, as config renders it into docs/tessera.schema.json.
    const json = JSON.parse(JSON.stringify(storeSectionSchema)) as {
      additionalProperties: unknown
      description: unknown
      properties: Record<string, { description?: unknown }>
    }
    assert.equal(json.additionalProperties, false)
    assert.equal(typeof json.description, 'string')
    assert.deepEqual(Object.keys(json.properties), ['kind', 'dataDir'])
    for (const property of Object.values(json.properties)) {
      assert.equal(typeof property.description, 'string')
    }
  })
})

import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { Type } from 'typebox'
import { Settings } from 'typebox/system'
import { maxSchemaErrors, schemaProblems } from './schema-problems.ts'
import { secretRefPattern } from './secrets.ts'

const schema = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 8 }),
    kind: Type.Optional(Type.Enum(['sqlite', 'memory'])),
    algorithm: Type.Optional(Type.Enum(['ES256', 'RS256'])),
    count: Type.Optional(Type.Integer({ minimum: 1, maximum: 10 })),
    ratio: Type.Optional(Type.Number({ exclusiveMinimum: 0, exclusiveMaximum: 1 })),
    flag: Type.Optional(Type.Literal(true)),
    tags: Type.Optional(Type.Array(Type.String(), { minItems: 1, maxItems: 2, uniqueItems: true })),
    pair: Type.Optional(Type.Array(Type.String(), { minItems: 2 })),
    audience: Type.Optional(Type.Union([Type.String(), Type.Array(Type.String())])),
    mode: Type.Optional(Type.Union([Type.Literal('a'), Type.Literal('b')])),
    secret: Type.Optional(Type.String({ pattern: secretRefPattern })),
    code: Type.Optional(Type.String({ pattern: '^[a-z]+$' })),
    nested: Type.Optional(Type.Object({ inner: Type.Boolean() }, { additionalProperties: false })),
    'a/b': Type.Optional(Type.String()),
    claim: Type.Optional(
      Type.Union([
        Type.Union([Type.String(), Type.Number(), Type.Boolean()]),
        Type.Array(Type.Union([Type.String(), Type.Number()])),
      ]),
    ),
    mixed: Type.Optional(Type.Array(Type.Union([Type.String(), Type.Number()]))),
  },
  { additionalProperties: false },
)

describe('schemaProblems', () => {
  it('returns nothing for a valid document', () => {
    assert.deepEqual(
      schemaProblems(schema, { name: 'x', audience: ['a'], nested: { inner: true } }),
      [],
    )
  })

  it('names each unknown key at its own path, with a "did you mean" when one is close', () => {
    assert.deepEqual(
      schemaProblems(schema, { name: 'x', nme: 1, nested: { iner: true, zzz: 1, inner: true } }),
      [
        { path: '/nme', message: 'is not a known key; did you mean "name"?' },
        { path: '/nested/iner', message: 'is not a known key; did you mean "inner"?' },
        { path: '/nested/zzz', message: 'is not a known key (known: inner)' },
      ],
    )
  })

  it('reports a missing key at its own path and escapes pointer tokens', () => {
    assert.deepEqual(schemaProblems(schema, { 'a/b': 1 }), [
      { path: '/name', message: 'is required' },
      { path: '/a~1b', message: 'must be a string, got the number 1' },
    ])
  })

  it('says which type was expected and what was found', () => {
    assert.deepEqual(schemaProblems(schema, { name: null, count: 1.5, nested: [], flag: false }), [
      { path: '/name', message: 'must be a string, got nothing (null)' },
      { path: '/count', message: 'must be a whole number, got the number 1.5' },
      { path: '/flag', message: 'must be true' },
      { path: '/nested', message: 'must be a mapping (key: value), got a list' },
    ])
    assert.deepEqual(schemaProblems(schema, [1]), [
      { path: '', message: 'must be a mapping (key: value), got a list' },
    ])
  })

  it('lists the allowed values and suggests the closest one', () => {
    assert.deepEqual(schemaProblems(schema, { name: 'x', kind: 'sqlite3', algorithm: 'HS256' }), [
      { path: '/kind', message: 'must be one of "sqlite", "memory"; did you mean "sqlite"?' },
      {
        path: '/algorithm',
        message:
          '"HS256" is never accepted: only asymmetric algorithms are (RFC 8725), one of "ES256", "RS256"',
      },
    ])
  })

  it('states bounds in words', () => {
    assert.deepEqual(
      schemaProblems(schema, { name: '', count: 0, ratio: 1, tags: [], pair: ['a'], code: 'A1' }),
      [
        { path: '/name', message: 'must not be empty' },
        { path: '/count', message: 'must be at least 1, got the number 0' },
        { path: '/ratio', message: 'must be less than 1, got the number 1' },
        { path: '/tags', message: 'must not be an empty list' },
        { path: '/pair', message: 'must have at least 2 items' },
        { path: '/code', message: 'must match the pattern ^[a-z]+$' },
      ],
    )
    assert.deepEqual(
      schemaProblems(schema, {
        name: 'too long a name',
        count: 11,
        ratio: 0,
        tags: ['a', 'a', 'b'],
      }),
      [
        { path: '/name', message: 'must be at most 8 characters' },
        { path: '/count', message: 'must be at most 10, got the number 11' },
        { path: '/ratio', message: 'must be greater than 0, got the number 0' },
        { path: '/tags', message: 'must have at most 2 items' },
        { path: '/tags', message: 'must not repeat an item' },
      ],
    )
  })

  it('reports a union by the branch matching the value, or by what the union accepts', () => {
    assert.deepEqual(schemaProblems(schema, { name: 'x', audience: ['a', 5] }), [
      { path: '/audience/1', message: 'must be a string, got the number 5' },
    ])
    assert.deepEqual(schemaProblems(schema, { name: 'x', audience: 5, mode: 'c' }), [
      { path: '/audience', message: 'must be a string or a list of strings' },
      { path: '/mode', message: 'must be "a" or "b"' },
    ])
    assert.deepEqual(schemaProblems(schema, { name: 'x', claim: { a: 1 }, mixed: [{}] }), [
      {
        path: '/claim',
        message: 'must be a string, a number, a boolean (true or false) or a list',
      },
      { path: '/mixed/0', message: 'must be a string or a number' },
    ])
  })

  it('says that secrets never live in the file, without echoing the value', () => {
    const problems = schemaProblems(schema, {
      name: 'x',
      secret: 'q1VwC8n2t6Jd0Yb7kXg3Zr5mHs9LpA4e',
    })
    assert.deepEqual(problems, [
      {
        path: '/secret',
        message:
          'looks like a secret itself: secrets never live in the file; put it in an environment variable (env:NAME) or a file (file:PATH) and reference that',
      },
    ])
  })

  it(`collects up to ${maxSchemaErrors} errors, says when there may be more, and leaves TypeBox's setting as it was`, () => {
    const before = Settings.Get().maxErrors
    const many = Object.fromEntries(Array.from({ length: 150 }, (_, i) => [`k${i}`, i]))
    const problems = schemaProblems(schema, { name: 'x', ...many })
    assert.equal(problems.length, maxSchemaErrors + 1)
    assert.deepEqual(problems.at(-1), {
      path: '',
      message: `more problems may follow: only the first ${maxSchemaErrors} schema errors are listed`,
    })
    assert.equal(Settings.Get().maxErrors, before)
  })
})

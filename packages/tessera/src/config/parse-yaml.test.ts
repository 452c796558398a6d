import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { maxAliasCount, parseYaml } from './parse-yaml.ts'

describe('parseYaml', () => {
  it('parses a YAML 1.2 document: "yes" stays a string, numbers are numbers', () => {
    const parsed = parseYaml('a: yes\nb: 0x10\nc: [1, "two"]\n')
    assert.deepEqual(parsed.problems, [])
    assert.deepEqual(parsed.value, { a: 'yes', b: 16, c: [1, 'two'] })
  })

  it('reports a syntax error with its line and column', () => {
    const parsed = parseYaml('server:\n  listen: [1, 2\ntrustDomain: x\n')
    assert.equal(parsed.value, undefined)
    assert.deepEqual(parsed.problems, [
      {
        path: '',
        message:
          'yaml syntax error at line 3, column 1: flow sequence in block collection must be sufficiently indented and end with a ]',
      },
    ])
  })

  it('reports a duplicate key, several documents and an unresolved tag', () => {
    assert.deepEqual(parseYaml('a: 1\na: 2\n').problems, [
      { path: '', message: 'yaml syntax error at line 2, column 1: map keys must be unique' },
    ])
    assert.match(
      parseYaml('a: 1\n---\nb: 2\n').problems[0]?.message ?? '',
      /^yaml syntax error at line 2, column 1: source contains multiple documents/,
    )
    assert.deepEqual(parseYaml('a: !secret x\n').problems, [
      { path: '', message: 'yaml syntax error at line 1, column 4: unresolved tag: !secret' },
    ])
  })

  it('keeps a merge key as a plain key, so the schema can refuse it', () => {
    assert.deepEqual(parseYaml('base: &b {x: 1}\nother:\n  <<: *b\n').value, {
      base: { x: 1 },
      other: { '<<': { x: 1 } },
    })
  })

  it('refuses aliases that expand past the limit (billion laughs)', () => {
    const lines = ['a: &a [x, x, x, x, x, x, x, x, x, x]']
    for (let i = 1; i < 12; i++) {
      const prev = String.fromCharCode(96 + i)
      const name = String.fromCharCode(97 + i)
      lines.push(`${name}: &${name} [${Array(10).fill(`*${prev}`).join(', ')}]`)
    }
    const parsed = parseYaml(lines.join('\n'))
    assert.equal(parsed.value, undefined)
    assert.deepEqual(parsed.problems, [
      {
        path: '',
        message: `yaml aliases expand too much: excessive alias count indicates a resource exhaustion attack (at most ${maxAliasCount} alias expansions)`,
      },
    ])
  })

  it('locates a JSON pointer, or its nearest existing ancestor', () => {
    const parsed = parseYaml(
      'server:\n  listen: x\npolicies:\n  - name: a\n    targets: [b, c]\nlist: &l [p, q]\nalias: *l\n',
    )
    assert.deepEqual(parsed.locate('/server/listen'), { line: 2, column: 3 }, 'at its key')
    assert.deepEqual(parsed.locate('/policies/0/targets/1'), { line: 5, column: 18 })
    assert.deepEqual(parsed.locate('/server/publicUrl'), { line: 1, column: 1 }, 'at its parent')
    assert.deepEqual(parsed.locate('/policies/3'), { line: 3, column: 1 })
    assert.deepEqual(parsed.locate('/alias/1'), { line: 6, column: 14 }, 'through an alias')
    assert.deepEqual(parsed.locate('/server/listen/deeper'), { line: 2, column: 3 })
    assert.deepEqual(parsed.locate(''), { line: 1, column: 1 })
    assert.equal(parseYaml('').locate('/x'), undefined)
  })
})

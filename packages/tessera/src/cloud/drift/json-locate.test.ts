import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { locateJsonPath, pathSegments } from './json-locate.ts'

const role = `{
  "Role": {
    "RoleName": "deployer",
    "AssumeRolePolicyDocument": {
      "Statement": [
        { "Sid": "A", "Condition": { "StringEquals": { "x:sub": "a" } } },
        {
          "Sid": "B",
          "Condition": {
            "StringEquals": { "x:aud": ["sts"], "x:sub": "b\\"q" }
          }
        }
      ]
    }
  }
}`

describe('locateJsonPath', () => {
  it('splits a printed finding path into keys and indexes, leaving out the Sid label', () => {
    assert.deepEqual(pathSegments('Doc.Statement[1] (Sid "B").Condition.StringEquals["x:sub"]'), [
      'Doc',
      'Statement',
      1,
      'Condition',
      'StringEquals',
      'x:sub',
    ])
    assert.deepEqual(pathSegments('attributeMapping["google.subject"]'), [
      'attributeMapping',
      'google.subject',
    ])
  })

  it('finds the key of the last segment under its parents, at any depth', () => {
    const path = 'AssumeRolePolicyDocument.Statement[1] (Sid "B").Condition.StringEquals["x:sub"]'
    assert.deepEqual(locateJsonPath(role, path), { startLine: 10, startColumn: 49 })
    // Statement[0] holds the same key: the index decides.
    assert.deepEqual(
      locateJsonPath(role, 'AssumeRolePolicyDocument.Statement[0].Condition.StringEquals["x:sub"]'),
      { startLine: 6, startColumn: 56 },
    )
    assert.deepEqual(locateJsonPath(role, 'RoleName'), { startLine: 3, startColumn: 5 })
    // An array element is located at its value.
    assert.deepEqual(locateJsonPath(role, 'Condition.StringEquals["x:aud"][0]'), {
      startLine: 10,
      startColumn: 41,
    })
  })

  it('gives no region when the path is not there or the text is not JSON', () => {
    assert.equal(locateJsonPath(role, 'Statement[2].Condition'), undefined)
    assert.equal(locateJsonPath(role, ''), undefined)
    assert.equal(locateJsonPath('{"RoleName": ', 'RoleName'), undefined)
    assert.equal(locateJsonPath('{"a": 1} x', 'a'), undefined)
    assert.equal(locateJsonPath('{"a" 1}', 'a'), undefined)
    assert.equal(locateJsonPath('{"a": [1 2]}', 'a'), undefined)
    assert.equal(locateJsonPath('{"a": 1 "b": 2}', 'b'), undefined)
    assert.equal(locateJsonPath('{"a": "open', 'a'), undefined)
    assert.equal(locateJsonPath('{"a": nope}', 'a'), undefined)
    assert.equal(locateJsonPath('{1: 2}', 'a'), undefined)
    assert.deepEqual(locateJsonPath('{"e": {}, "f": [], "a": -1.5e3}', 'a'), {
      startLine: 1,
      startColumn: 20,
    })
  })
})

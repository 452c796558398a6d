import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { detectEnvironment, environmentMarkers, removeEnvironment } from './environment.ts'

function words(detail: string): { id: 'environment'; words: string } {
  return { id: 'environment', words: `the values differ only by environment (${detail})` }
}

describe('detectEnvironment', () => {
  it('detects a marker that is a whole host label', () => {
    assert.deepEqual(
      detectEnvironment('https://api.example.com', 'https://api.staging.example.com'),
      words('"staging" instead of none'),
    )
  })

  it('detects a marker that is the first host label', () => {
    assert.deepEqual(
      detectEnvironment('https://example.com', 'https://staging.example.com'),
      words('"staging" instead of none'),
    )
    assert.deepEqual(
      detectEnvironment('example.com', 'dev.example.com'),
      words('"dev" instead of none'),
    )
  })

  it('detects a marker joined to a label by a hyphen or underscore', () => {
    assert.deepEqual(
      detectEnvironment('https://api.example.com', 'https://api-staging.example.com'),
      words('"staging" instead of none'),
    )
    assert.deepEqual(detectEnvironment('api', 'qa_api'), words('"qa" instead of none'))
    assert.deepEqual(detectEnvironment('api.x', 'api.uat-x'), words('"uat" instead of none'))
  })

  it('names both markers when each side has one', () => {
    assert.deepEqual(detectEnvironment('api-prod', 'api-dev'), words('"dev" instead of "prod"'))
  })

  it('names the expected marker when the token value has none', () => {
    assert.deepEqual(
      detectEnvironment('https://api.production.example.com', 'https://api.example.com'),
      words('none instead of "production"'),
    )
  })

  it('detects a marker that is a path segment', () => {
    assert.deepEqual(detectEnvironment('/api', '/staging/api'), words('"staging" instead of none'))
    assert.deepEqual(detectEnvironment('api', 'sandbox/api'), words('"sandbox" instead of none'))
    assert.deepEqual(
      detectEnvironment('https://x/api', 'https://x/api/test'),
      words('"test" instead of none'),
    )
    assert.deepEqual(detectEnvironment('api/x', 'api.stg/x'), words('"stg" instead of none'))
  })

  it('detects a marker in a query value', () => {
    assert.deepEqual(
      detectEnvironment('https://x/?env=prod', 'https://x/?env=testing'),
      words('"testing" instead of "prod"'),
    )
  })

  it('treats pre-prod and non-prod as one marker', () => {
    assert.deepEqual(
      detectEnvironment('https://api.example.com', 'https://api-pre-prod.example.com'),
      words('"pre-prod" instead of none'),
    )
    assert.deepEqual(detectEnvironment('api', 'api_NON_PROD'), words('"NON_PROD" instead of none'))
  })

  it('does not read pre-production as pre-prod', () => {
    assert.deepEqual(
      detectEnvironment('pre.x', 'pre-production.x'),
      words('"production" instead of none'),
    )
  })

  it('lists several markers on one side', () => {
    assert.deepEqual(
      detectEnvironment('api.example.com', 'api.dev.Test.example.com'),
      words('"dev" and "Test" instead of none'),
    )
    assert.deepEqual(
      detectEnvironment('example.com', 'stage.preprod.example.com'),
      words('"stage" and "preprod" instead of none'),
    )
  })

  it('returns undefined when both name the same environments', () => {
    assert.equal(detectEnvironment('staging.api', 'api.staging'), undefined)
    assert.equal(detectEnvironment('api-DEV', 'api.dev'), undefined)
  })

  it('returns undefined when nothing but markers remains', () => {
    assert.equal(detectEnvironment('dev', 'prod'), undefined)
    assert.equal(detectEnvironment('', 'staging'), undefined)
    assert.equal(detectEnvironment('-', 'dev-'), undefined)
  })

  it('returns undefined when more than markers differs', () => {
    assert.equal(detectEnvironment('api.example.com', 'web.staging.example.com'), undefined)
    assert.equal(detectEnvironment('contest', 'con'), undefined)
    assert.equal(detectEnvironment('a', 'a'), undefined)
  })

  it('knows the markers of the spec', () => {
    assert.deepEqual([...environmentMarkers].sort(), [
      'dev',
      'development',
      'non-prod',
      'nonprod',
      'pre-prod',
      'preprod',
      'prod',
      'production',
      'qa',
      'sandbox',
      'stage',
      'staging',
      'stg',
      'test',
      'testing',
      'uat',
    ])
  })
})

describe('removeEnvironment', () => {
  it('removes the markers even when the rests differ', () => {
    assert.deepEqual(removeEnvironment('a.prod', 'b'), {
      expected: 'a',
      actual: 'b',
      phrase: 'environment (none instead of "prod")',
    })
  })
})

import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { createVerifier, type Evaluation, TesseraError } from '@tessera/verify'
import { generateTestKey, jwksOf, signJwt } from '../../../../verify/test/support/token-factory.ts'
import { renderDoctorJson, toDoctorJson } from './doctor-json.ts'

const audienceError = new TesseraError({
  code: 'audience_mismatch',
  message:
    'aud "https://api.example.com/" is not one of ["https://api.example.com"]: the values differ only by a trailing slash',
  expected: ['https://api.example.com'],
  actual: ['https://api.example.com/'],
  hint: 'trailing_slash',
  cause: new Error('never serialised'),
})
const expiredError = new TesseraError({
  code: 'expired',
  message: 'exp is in the past',
  expected: 'exp after 2027-01-15T07:59:00Z',
  actual: 'exp 2027-01-15T07:00:00Z',
})
const bareError = new TesseraError({
  code: 'malformed',
  message: 'token has 2 segments, expected 3',
})

const evaluation: Evaluation = {
  valid: false,
  primary: audienceError,
  checks: [
    { name: 'decode', status: 'ok' },
    { name: 'audience', status: 'failed', error: audienceError },
    { name: 'expiry', status: 'failed', error: expiredError },
    { name: 'signature', status: 'skipped', reason: 'key did not pass' },
    { name: 'lifetime', status: 'skipped', reason: 'not configured' },
    {
      name: 'replay',
      status: 'skipped',
      reason: 'not run when diagnosing (it would record the jti)',
    },
  ],
}

describe('toDoctorJson', () => {
  it('gives valid, the primary code and hint, and one entry per check that ran or was blocked', () => {
    assert.deepEqual(toDoctorJson(evaluation), {
      valid: false,
      code: 'audience_mismatch',
      hint: 'trailing_slash',
      checks: [
        {
          name: 'decode',
          ok: true,
          code: null,
          expected: null,
          actual: null,
          hint: null,
          message: null,
        },
        {
          name: 'audience',
          ok: false,
          code: 'audience_mismatch',
          expected: ['https://api.example.com'],
          actual: ['https://api.example.com/'],
          hint: 'trailing_slash',
          message: audienceError.message,
        },
        {
          name: 'expiry',
          ok: false,
          code: 'expired',
          expected: 'exp after 2027-01-15T07:59:00Z',
          actual: 'exp 2027-01-15T07:00:00Z',
          hint: null,
          message: 'exp is in the past',
        },
        {
          name: 'signature',
          ok: false,
          skipped: true,
          code: null,
          expected: null,
          actual: null,
          hint: null,
          message: 'skipped: key did not pass',
        },
      ],
    })
  })

  it('leaves out checks that were not configured or not run', () => {
    const names = toDoctorJson(evaluation).checks.map((c) => c.name)
    assert.ok(!names.includes('lifetime'))
    assert.ok(!names.includes('replay'))
  })

  it('gives null code and hint for a valid token', () => {
    assert.deepEqual(toDoctorJson({ valid: true, checks: [{ name: 'decode', status: 'ok' }] }), {
      valid: true,
      code: null,
      hint: null,
      checks: [
        {
          name: 'decode',
          ok: true,
          code: null,
          expected: null,
          actual: null,
          hint: null,
          message: null,
        },
      ],
    })
  })

  it('gives null for a primary failure without a hint, and for missing expected and actual', () => {
    const json = toDoctorJson({
      valid: false,
      primary: bareError,
      checks: [{ name: 'decode', status: 'failed', error: bareError }],
    })
    assert.equal(json.code, 'malformed')
    assert.equal(json.hint, null)
    assert.deepEqual(json.checks[0], {
      name: 'decode',
      ok: false,
      code: 'malformed',
      expected: null,
      actual: null,
      hint: null,
      message: 'token has 2 segments, expected 3',
    })
  })

  it('says "skipped: " with an empty reason when none is given', () => {
    const json = toDoctorJson({ valid: false, checks: [{ name: 'key', status: 'skipped' }] })
    assert.equal(json.checks[0]?.message, 'skipped: ')
  })
})

describe('renderDoctorJson', () => {
  it('renders the object as one line of JSON, never the error cause', () => {
    const text = renderDoctorJson(evaluation)
    assert.ok(!text.includes('\n'))
    assert.deepEqual(JSON.parse(text), toDoctorJson(evaluation))
    assert.ok(!text.includes('never serialised'))
  })

  it('renders a real evaluation with every failing check and without the token', async () => {
    const key = generateTestKey('ES256', 'k1')
    const verifier = createVerifier({
      issuers: [{ issuer: 'https://idp.example', jwks: jwksOf(key) }],
      audience: 'https://api.example.com',
      clock: () => 1_800_000_000,
    })
    const token = signJwt(key, {
      iss: 'https://idp.example/',
      aud: 'https://api.example.com/',
      exp: 1_799_990_000,
    })
    const text = renderDoctorJson(await verifier.evaluate(token))
    const json = JSON.parse(text) as ReturnType<typeof toDoctorJson>
    assert.equal(json.valid, false)
    assert.deepEqual(
      json.checks.filter((c) => !c.ok).map((c) => [c.name, c.code, c.hint]),
      [
        ['issuer', 'issuer_mismatch', 'trailing_slash'],
        ['audience', 'audience_mismatch', 'trailing_slash'],
        ['expiry', 'expired', null],
      ],
    )
    assert.ok(!text.includes(token))
    assert.ok(!text.includes(token.split('.')[2] as string))
  })
})

import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { compileTemplate, renderTemplate, type Template } from './map-claims.ts'

function template(source: string): Template {
  const compiled = compileTemplate(source)
  assert.ok('template' in compiled, `expected ${source} to compile`)
  return compiled.template
}

const values = {
  trustDomain: 'example.org',
  issuer: 'https://issuer.example.com',
  claims: {
    sub: 'repo:acme/app',
    repository: 'acme/app',
    n: 7,
    ok: true,
    'kubernetes.io': { namespace: 'prod' },
  },
}

describe('compileTemplate', () => {
  it('splits literal text and the four placeholder kinds', () => {
    assert.deepEqual(template('a{trustDomain}b{sub}{iss}{claims.repository}c').parts, [
      { literal: 'a' },
      { placeholder: 'trustDomain' },
      { literal: 'b' },
      { placeholder: 'sub' },
      { placeholder: 'iss' },
      { claim: 'repository' },
      { literal: 'c' },
    ])
  })

  it('reports every unknown placeholder and stray brace', () => {
    assert.deepEqual(compileTemplate('{claims.}{Sub}{x}}{'), {
      problems: [
        'unknown placeholder "{claims.}", allowed: {trustDomain}, {sub}, {iss}, {claims.NAME}',
        'unknown placeholder "{Sub}", allowed: {trustDomain}, {sub}, {iss}, {claims.NAME}: did you mean {sub}?',
        'unknown placeholder "{x}", allowed: {trustDomain}, {sub}, {iss}, {claims.NAME}',
        '"}" at offset 17 closes no placeholder',
        '"{" at offset 18 is not closed',
      ],
    })
  })

  it('refuses a claim name with characters outside [A-Za-z0-9_.-]', () => {
    assert.ok('problems' in compileTemplate('{claims.a b}'))
  })
})

describe('renderTemplate', () => {
  it('fills placeholders; numbers and booleans as text; dotted names through nested objects', () => {
    assert.deepEqual(
      renderTemplate(
        template(
          '{trustDomain}/{iss}/{sub}/{claims.n}/{claims.ok}/{claims.kubernetes.io.namespace}',
        ),
        values,
      ),
      { value: 'example.org/https://issuer.example.com/repo:acme/app/7/true/prod' },
    )
  })

  it('names the claim a placeholder could not be filled from', () => {
    assert.deepEqual(renderTemplate(template('{claims.missing}'), values), {
      claim: 'missing',
      placeholder: '{claims.missing}',
      found: undefined,
    })
    assert.deepEqual(renderTemplate(template('{sub}'), { ...values, claims: { sub: 5 } }), {
      claim: 'sub',
      placeholder: '{sub}',
      found: 5,
    })
    assert.deepEqual(
      renderTemplate(template('{claims.n}'), { ...values, claims: { n: Number.NaN } }),
      {
        claim: 'n',
        placeholder: '{claims.n}',
        found: Number.NaN,
      },
    )
  })
})

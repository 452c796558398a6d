import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { indexInventory } from './inventory.ts'
import { context, ledger, payments, paymentsV2 } from './testing/fixtures.ts'

const { index, problems } = indexInventory(context.inventory)

describe('indexInventory', () => {
  it('finds no problem in a well-formed inventory', () => {
    assert.deepEqual(problems, [])
  })

  it('resolves a service name to the service and an audience to its owner', () => {
    assert.equal(index.resolve('payments-api')?.kind, 'service')
    assert.deepEqual(index.resolve(paymentsV2), {
      kind: 'audience',
      service: context.inventory.services[0],
      audience: paymentsV2,
    })
    assert.equal(index.resolve('nope'), undefined)
  })

  it("resolves audiencesFor a service name to the service's first audience", () => {
    assert.deepEqual(index.audiencesFor('payments-api'), {
      audience: payments,
      service: 'payments-api',
    })
    assert.deepEqual(index.audiencesFor(ledger), { audience: ledger, service: 'ledger' })
    assert.equal(index.audiencesFor('nope'), undefined)
  })

  it('lists every name and audience as near-miss candidates', () => {
    assert.deepEqual(index.names, ['payments-api', 'ledger', payments, paymentsV2, ledger])
  })

  it('returns undefined from audiencesFor for a service without audiences (schema-invalid input)', () => {
    const empty = indexInventory({ services: [{ name: 'bare', audiences: [] }] })
    assert.equal(empty.index.audiencesFor('bare'), undefined)
  })
})

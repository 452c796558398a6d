import assert from 'node:assert/strict'
import { beforeEach, describe, it } from 'node:test'
import { tokenTypes } from './canonical.ts'
import { createWorld, decodeParts, idpUrl, ledger, type World } from './testing/world.ts'

describe('createExchangeEngine: delegation (RFC 8693 actor tokens)', () => {
  let world: World
  beforeEach(async () => {
    world = await createWorld()
  })

  it('nests act across two hops: the current actor outermost, the first one inside', async () => {
    // Hop 1: svc-a acts for user-alice, with a token from the IdP.
    const hop1 = await world.engine.exchange({
      dialect: 'test',
      correlationId: 'hop-1',
      subjectToken: world.idpToken({ sub: 'user-alice' }),
      subjectTokenType: tokenTypes.idToken,
      actorToken: world.idpToken({ sub: 'svc-a' }),
      actorTokenType: tokenTypes.jwt,
      audience: 'payments-api',
      scopes: [],
    })
    const first = decodeParts(hop1.accessToken).claims
    assert.equal(first.sub, 'spiffe://example.org/user/user-alice')
    assert.deepEqual(first.act, { sub: 'svc-a', iss: idpUrl })
    assert.equal(world.audit.records[0]?.presented?.actorSub, 'svc-a')

    // Hop 2: payments (svc-b) exchanges that token onwards to the ledger, acting in turn.
    const hop2 = await world.engine.exchange({
      dialect: 'test',
      correlationId: 'hop-2',
      subjectToken: hop1.accessToken,
      subjectTokenType: tokenTypes.accessToken,
      actorToken: world.idpToken({ sub: 'svc-b' }),
      actorTokenType: tokenTypes.jwt,
      audience: 'ledger',
      scopes: [],
    })
    const second = decodeParts(hop2.accessToken).claims
    assert.equal(second.sub, first.sub)
    assert.equal(second.aud, ledger)
    assert.deepEqual(second.act, { sub: 'svc-b', iss: idpUrl, act: { sub: 'svc-a', iss: idpUrl } })
    assert.deepEqual(
      world.audit.records.map((r) => [
        r.correlationId,
        r.decision,
        r.policy,
        r.presented?.actorSub,
      ]),
      [
        ['hop-1', 'allow', 'delegate', 'svc-a'],
        ['hop-2', 'allow', 'second-hop', 'svc-b'],
      ],
    )
  })
})

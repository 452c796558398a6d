// The real @azure/identity (4.13.1, msal-node 5.6.0) against Tessera's Entra dialect over HTTPS
// on 127.0.0.1, unpatched. Loopback only (sdk-wire-facts "Keep tests on loopback"):
// disableInstanceDiscovery stops MSAL asking login.microsoftonline.com about the authority,
// and the loopback guard fails the test on any other connection or lookup.
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { ClientAssertionCredential } from '@azure/identity'
import { decodeJwt } from '@tessera/verify'
import {
  clientId,
  createEntraWorld,
  type EntraWorld,
  ficSubject,
  payments,
  tenantId,
  testCa,
} from '../testing/entra-world.ts'

let world: EntraWorld

before(async () => {
  // The world's clock starts at the wall clock, not a fixed date: MSAL dates and caches the
  // token by the real clock.
  world = await createEntraWorld({ tls: true, startAt: Math.floor(Date.now() / 1000) })
})
after(() => world.close())

function credential(assertion: () => string): ClientAssertionCredential {
  return new ClientAssertionCredential(tenantId, clientId, async () => assertion(), {
    authorityHost: world.origin,
    disableInstanceDiscovery: true,
    // The test CA, through core-rest-pipeline's TLS settings: NODE_EXTRA_CA_CERTS is read
    // only when the process starts.
    tlsOptions: { ca: testCa },
    retryOptions: { maxRetries: 0 },
  })
}

describe('@azure/identity ClientAssertionCredential against Tessera', () => {
  test('getToken("<target>/.default") returns a Tessera token for the target', async () => {
    const token = await credential(() => world.assertion()).getToken(`${payments}/.default`)
    const { claims } = decodeJwt(token.token, 16384)
    assert.equal(claims.aud, payments)
    assert.equal(claims.sub, ficSubject)
    assert.equal(claims.client_id, `entra:${clientId}:payments-deployer`)
    // expires_in made it through: the SDK dates the token by it (wall clock, not the world's).
    assert.ok(token.expiresOnTimestamp > Date.now() + 60_000)
  })

  test('a subject differing only in case is refused with AADSTS7002138 in the error message', async () => {
    const refused = credential(() => world.assertion({ sub: ficSubject.toLowerCase() }))
    await assert.rejects(refused.getToken(`${payments}/.default`), (error: Error) => {
      assert.equal(error.name, 'AuthenticationRequiredError')
      assert.match(error.message, /^invalid_client: Error\(s\): 7002138 - /)
      assert.match(
        error.message,
        /AADSTS7002138: No matching federated identity record found for presented assertion subject 'system:serviceaccount:payments:deployer'/,
      )
      return true
    })
  })

  test('an issuer no credential has is refused with AADSTS700211', async () => {
    const refused = credential(() =>
      world.assertion({ iss: 'https://oidc.workloads.example.com/' }),
    )
    await assert.rejects(refused.getToken(`${payments}/.default`), (error: Error) => {
      assert.match(
        error.message,
        /Error\(s\): 700211 - .*AADSTS700211: No matching federated identity record found for presented assertion issuer 'https:\/\/oidc\.workloads\.example\.com\/'/s,
      )
      return true
    })
  })

  test('without the test CA the SDK refuses the server certificate (the TLS is real)', async () => {
    const untrusting = new ClientAssertionCredential(
      tenantId,
      clientId,
      async () => world.assertion(),
      {
        authorityHost: world.origin,
        disableInstanceDiscovery: true,
        retryOptions: { maxRetries: 0 },
      },
    )
    await assert.rejects(untrusting.getToken(`${payments}/.default`), /endpoints_resolution_error/)
  })
})

import { jwsAlgorithms } from '@tessera/verify'
import { type Static, Type } from 'typebox'

/** The ways a trusted issuer's keys can be found; exactly one is given per issuer. */
export const keySourceKeys = ['discovery', 'jwksUri', 'jwks', 'jwksFile'] as const

// A JWK is an open member set (RFC 7517 §4: unknown members are ignored), so it is the one
// object in the schema that allows additional properties; importing it checks the members.
const jwkSchema = Type.Object(
  { kty: Type.String({ minLength: 1, description: 'Key type: RSA, EC or OKP.' }) },
  { additionalProperties: true, description: 'A public JSON Web Key (RFC 7517).' },
)

/** JSON Schema (TypeBox) of one entry of `trustedIssuers`. */
export const trustedIssuerSchema = Type.Object(
  {
    issuer: Type.String({
      minLength: 1,
      description:
        'The issuer identifier, exactly as the iss claim of its tokens (no normalisation).',
    }),
    discovery: Type.Optional(
      Type.Literal(true, {
        description:
          'Find the keys through OpenID Connect discovery: <issuer>/.well-known/openid-configuration.',
      }),
    ),
    jwksUri: Type.Optional(
      Type.String({ minLength: 1, description: 'URL of the JWK Set, fetched and cached.' }),
    ),
    jwks: Type.Optional(
      Type.Object(
        { keys: Type.Array(jwkSchema, { minItems: 1, description: 'The public keys.' }) },
        { additionalProperties: false, description: 'The JWK Set inline (public keys only).' },
      ),
    ),
    jwksFile: Type.Optional(
      Type.String({
        minLength: 1,
        description:
          'A JSON file holding the JWK Set, relative to this file; read at load and on every reload.',
      }),
    ),
    algorithms: Type.Optional(
      Type.Array(Type.Enum([...jwsAlgorithms]), {
        minItems: 1,
        description:
          'Signature algorithms accepted from this issuer (default: every asymmetric algorithm).',
      }),
    ),
  },
  {
    additionalProperties: false,
    description:
      'An external issuer whose tokens Tessera accepts: exactly one of discovery, jwksUri, jwks, jwksFile.',
  },
)

/** JSON Schema (TypeBox) of the `trustedIssuers` section. */
export const trustedIssuersSectionSchema = Type.Array(trustedIssuerSchema, {
  description:
    "External issuers whose tokens Tessera verifies (CI systems, Kubernetes, identity providers). Tessera's own publicUrl is always trusted and is not listed.",
})

/** One entry of `trustedIssuers` as written in `tessera.yaml`. */
export type TrustedIssuerEntry = Static<typeof trustedIssuerSchema>

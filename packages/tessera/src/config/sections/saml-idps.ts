import { type Static, Type } from 'typebox'
import { secretRefPattern } from '../secrets.ts'

/** Default allowance for clock differences with a SAML IdP, seconds (the saml part's default). */
export const defaultSamlClockSkewSeconds = 60

/** Largest `saml.clockSkewSeconds`: more would make NotOnOrAfter meaningless. */
export const maxSamlClockSkewSeconds = 600

// AWS IAM SAML provider names: 1–128 of [\w._-] (CreateSAMLProvider's Name constraint).
const idpNamePattern = '^[\\w._-]{1,128}$'

/** JSON Schema (TypeBox) of one entry of `samlIdps`. */
export const samlIdpSchema = Type.Object(
  {
    name: Type.Optional(
      Type.String({
        pattern: idpNamePattern,
        description:
          'Short name of the IdP (1–128 of letters, digits, _ . -): the SAML provider of AssumeRoleWithSAML, arn:aws:iam::<clouds.aws.accountId>:saml-provider/<name>.',
      }),
    ),
    entityId: Type.Optional(
      Type.String({
        minLength: 1,
        description:
          "The IdP's entity ID, compared with the Issuer of its Responses exactly. Taken from the metadata when absent; required with metadata.url (policies are checked against it before the metadata is fetched) and, when given, must equal the metadata's.",
      }),
    ),
    metadata: Type.Object(
      {
        file: Type.Optional(
          Type.String({
            minLength: 1,
            description:
              "The IdP's EntityDescriptor, relative to this file; read at load and on every reload.",
          }),
        ),
        url: Type.Optional(
          Type.String({
            minLength: 1,
            description:
              "URL of the IdP's EntityDescriptor (https, or http on loopback); fetched at server start, with a timeout and a size cap.",
          }),
        ),
      },
      {
        additionalProperties: false,
        description:
          'Where the IdP metadata (entity ID and signing certificates) is: exactly one of file, url.',
      },
    ),
    metadataSigningCertificateFile: Type.Optional(
      Type.String({
        minLength: 1,
        description:
          'PEM certificate that must have signed the metadata (relative to this file): unsigned or otherwise signed metadata is refused.',
      }),
    ),
    allowSha1: Type.Optional(
      Type.Boolean({
        default: false,
        description:
          'Accept RSA-SHA1 signatures and SHA-1 digests from this IdP (refused by default).',
      }),
    ),
    allowCbc: Type.Optional(
      Type.Boolean({
        default: false,
        description:
          'Accept AES-CBC for encrypted assertions from this IdP (only AES-GCM by default).',
      }),
    ),
  },
  {
    additionalProperties: false,
    description:
      'A SAML 2.0 identity provider whose signed Responses Tessera accepts as subject tokens.',
  },
)

/** JSON Schema (TypeBox) of the `samlIdps` section. */
export const samlIdpsSectionSchema = Type.Array(samlIdpSchema, {
  description:
    'SAML 2.0 identity providers whose Responses Tessera accepts (token exchange with subject_token_type urn:ietf:params:oauth:token-type:saml2, Google STS, AWS AssumeRoleWithSAML). Policies name one by its entity ID as issuer.',
})

/** JSON Schema (TypeBox) of the `saml` section: Tessera as a SAML service provider. */
export const samlSectionSchema = Type.Object(
  {
    spEntityId: Type.String({
      minLength: 1,
      description:
        "Tessera's entity ID as a service provider: the Audience its assertions must name.",
    }),
    acsUrl: Type.String({
      minLength: 1,
      description:
        "Tessera's assertion consumer service URL: the Response's Destination and the bearer confirmation's Recipient. AssumeRoleWithSAML also accepts https://signin.aws.amazon.com/saml.",
    }),
    decryptionKey: Type.Optional(
      Type.String({
        pattern: secretRefPattern,
        description:
          "Tessera's private key (PEM) for EncryptedAssertion: env:NAME or file:PATH (relative to this file), never the key itself.",
      }),
    ),
    clockSkewSeconds: Type.Optional(
      Type.Integer({
        minimum: 0,
        maximum: maxSamlClockSkewSeconds,
        default: defaultSamlClockSkewSeconds,
        description:
          'Seconds of clock difference allowed with the IdPs in NotBefore/NotOnOrAfter checks.',
      }),
    ),
  },
  {
    additionalProperties: false,
    description: 'Tessera as a SAML service provider; required when samlIdps lists any IdP.',
  },
)

/** One entry of `samlIdps` as written in `tessera.yaml`. */
export type SamlIdpEntry = Static<typeof samlIdpSchema>

/** The `saml` section as written in `tessera.yaml`. */
export type SamlSectionEntry = Static<typeof samlSectionSchema>

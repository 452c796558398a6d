import { Type } from 'typebox'
import { maxExpressionChars } from './match/cel.ts'

/**
 * The `policies[]` entry and `inventory` sections of `tessera.yaml` as TypeBox schemas; the
 * config part assembles them into the published JSON Schema, so every field is described.
 * Structure only: the checks that need the rest of the configuration (inventory references,
 * trusted issuers, patterns, CEL) are `compilePolicies`'.
 */

/** Longest pattern, template or identifier string accepted, in characters. */
const maxPatternChars = 1024

const text = (description: string) =>
  Type.String({ minLength: 1, maxLength: maxPatternChars, description })

const claimScalar = Type.Union([
  Type.String({ maxLength: maxPatternChars }),
  Type.Number(),
  Type.Boolean(),
])

/** JSON Schema of one trust policy (`policies[]`); its static type matches `PolicyConfig`. */
export const policySchema = Type.Object(
  {
    name: Type.String({
      minLength: 1,
      maxLength: 128,
      description: 'Unique name of the policy; shown in denials, audit records and client_id.',
    }),
    effect: Type.Optional(
      Type.Union([Type.Literal('allow'), Type.Literal('deny')], {
        description:
          'allow (default) grants; deny refuses a matching identity and wins over every allow.',
      }),
    ),
    use: Type.Optional(
      Type.Union([Type.Literal('exchange'), Type.Literal('identity')], {
        description:
          'exchange (default): token exchange; identity: issuing a workload identity token. A deny policy without use applies to both.',
      }),
    ),
    issuer: text(
      "The presented token's iss, exactly: a trusted issuer, or Tessera's own issuer URL. No patterns.",
    ),
    audience: Type.Optional(
      Type.Union(
        [text('Accepted aud (exact).'), Type.Array(text('Accepted aud (exact).'), { minItems: 1 })],
        {
          description:
            "Accepted aud of the presented token (exact; one or a list). Default for allow policies: Tessera's own issuer URL; a deny policy without it matches any aud.",
        },
      ),
    ),
    subject: Type.Optional(
      Type.String({
        maxLength: maxPatternChars,
        description:
          'sub of the presented token: exact, or a glob where * matches within one segment (not / or :) and ** matches anything.',
      }),
    ),
    claims: Type.Optional(
      Type.Record(
        Type.String(),
        Type.Union([claimScalar, Type.Array(claimScalar, { minItems: 1 })], {
          description:
            'Value of the claim: a string (exact or glob), a number or boolean (compared by value and type), or a list of alternatives.',
        }),
        {
          description:
            'Claim constraints, all of which must pass. A dotted name also reads nested objects; a list-valued claim passes when any element matches.',
        },
      ),
    ),
    condition: Type.Optional(
      Type.Object(
        {
          expression: Type.String({
            minLength: 1,
            maxLength: maxExpressionChars,
            description:
              'CEL expression over claims, header and request (target, scopes); must evaluate to true. matches() and nested comprehensions are not allowed.',
          }),
          message: Type.String({
            minLength: 1,
            maxLength: maxPatternChars,
            description: 'What a denied caller is told when the expression is not true.',
          }),
        },
        {
          additionalProperties: false,
          description: 'A CEL condition, compiled once at load.',
        },
      ),
    ),
    targets: Type.Optional(
      Type.Array(text('An inventory service name or audience identifier.'), {
        minItems: 1,
        description:
          'Targets the policy grants: inventory service names (all their audiences) or audience identifiers. Required for allow policies; on a deny policy, limits it to these targets.',
      }),
    ),
    scopes: Type.Optional(
      Type.Array(text('An OAuth scope token.'), {
        description:
          'Scopes that may be granted; a request for others is refused, and a request for none gets all of them.',
      }),
    ),
    maxTtlSeconds: Type.Optional(
      Type.Integer({
        exclusiveMinimum: 0,
        description:
          "Cap on the issued token's lifetime, in seconds (the global cap still applies).",
      }),
    ),
    output: Type.Optional(
      Type.Object(
        {
          subject: Type.Optional(
            text(
              'Output sub template; placeholders {trustDomain}, {sub}, {iss}, {claims.NAME}. Default: the presented sub. Identity policies: must start with spiffe://{trustDomain}/.',
            ),
          ),
          claims: Type.Optional(
            Type.Record(
              Type.String(),
              text('Output claim template (same placeholders as subject).'),
              {
                description:
                  'Extra output claims, each a template; registered claims (iss, sub, aud, …) cannot be set.',
              },
            ),
          ),
        },
        { additionalProperties: false, description: 'Mapping of the issued subject and claims.' },
      ),
    ),
    singleUse: Type.Optional(
      Type.Boolean({
        description:
          'Accept each presented token once: its jti is required and remembered until it expires.',
      }),
    ),
    actor: Type.Optional(
      Type.Object(
        {
          issuer: text("The actor token's iss, exactly (a trusted issuer or Tessera's own)."),
          subject: Type.Optional(
            Type.String({
              maxLength: maxPatternChars,
              description: "The actor token's sub: exact or glob, as subject.",
            }),
          ),
          requireMayAct: Type.Optional(
            Type.Boolean({
              description:
                'Require the subject token to carry may_act naming the actor (RFC 8693 §4.4).',
            }),
          ),
        },
        {
          additionalProperties: false,
          description:
            'Delegation (RFC 8693 actor_token): which actors may act for the subject. Without it, an actor token is refused.',
        },
      ),
    ),
  },
  {
    additionalProperties: false,
    description: 'One trust policy: which presented identities may obtain what.',
  },
)

/** JSON Schema of the `inventory` section; its static type matches `Inventory`. */
export const inventorySchema = Type.Object(
  {
    services: Type.Array(
      Type.Object(
        {
          name: Type.String({
            minLength: 1,
            maxLength: 128,
            description: 'Unique service name; policies and requests may name the service by it.',
          }),
          audiences: Type.Array(text('An audience identifier (aud) the service accepts.'), {
            minItems: 1,
            description:
              'Audience identifiers the service accepts; the first is the default when the service is named.',
          }),
          owner: Type.Optional(
            Type.String({
              minLength: 1,
              maxLength: 128,
              description: 'Owning team, for people and the dashboard.',
            }),
          ),
        },
        { additionalProperties: false, description: 'One service and its audience identifiers.' },
      ),
      { description: 'Every service and its audience identifiers: the one list of them.' },
    ),
  },
  {
    additionalProperties: false,
    description: 'The services tokens are issued for, and the audience identifiers each accepts.',
  },
)

import { Type } from 'typebox'

/** A reference to a secret: `env:NAME` or `file:PATH` (secrets never live in the file). */
const secretRef = (description: string) =>
  Type.String({ pattern: '^(env:[A-Za-z_][A-Za-z0-9_]*|file:.+)$', maxLength: 4096, description })

const path = (description: string) => Type.String({ minLength: 1, maxLength: 4096, description })

/**
 * JSON Schema of `tessera-agent.yaml` (structure only; `loadAgentConfig` adds the checks that
 * need several fields: exactly one attestation, unique audiences and files, backoff order).
 */
export const agentConfigSchema = Type.Object(
  {
    server: Type.String({
      minLength: 1,
      maxLength: 2048,
      description: "Tessera's base URL, e.g. http://127.0.0.1:8080.",
    }),
    attestation: Type.Object(
      {
        joinToken: Type.Optional(
          secretRef(
            'A one-time join token (env:NAME or file:PATH); renewal then presents the agent’s own token.',
          ),
        ),
        kubernetesTokenFile: Type.Optional(
          path('A projected service-account token file, re-read at every refresh.'),
        ),
        oidcToken: Type.Optional(
          secretRef('An upstream OIDC token (env:NAME or file:PATH), read at every refresh.'),
        ),
      },
      { additionalProperties: false, description: 'How the agent proves what it is: exactly one.' },
    ),
    tokens: Type.Array(
      Type.Object(
        {
          audience: Type.String({ minLength: 1, maxLength: 1024, description: 'The aud.' }),
          file: path('Where the token is written (atomically, mode 0600).'),
          owner: Type.Optional(
            Type.String({ pattern: '^\\d+:\\d+$', description: 'uid:gid of the written file.' }),
          ),
        },
        { additionalProperties: false },
      ),
      { minItems: 1, maxItems: 64, description: 'One token per audience.' },
    ),
    refresh: Type.Optional(
      Type.Object(
        {
          at: Type.Optional(
            Type.Number({
              exclusiveMinimum: 0,
              maximum: 1,
              description: 'Fraction of the lifetime after which a token is renewed (0.5).',
            }),
          ),
          jitter: Type.Optional(
            Type.Number({ minimum: 0, exclusiveMaximum: 1, description: '± spread of at (0.1).' }),
          ),
          backoff: Type.Optional(
            Type.Object(
              {
                initialSeconds: Type.Optional(Type.Number({ exclusiveMinimum: 0 })),
                maxSeconds: Type.Optional(Type.Number({ exclusiveMinimum: 0 })),
              },
              { additionalProperties: false },
            ),
          ),
          timeoutSeconds: Type.Optional(
            Type.Number({
              exclusiveMinimum: 0,
              maximum: 300,
              description: 'Deadline of a request.',
            }),
          ),
        },
        { additionalProperties: false },
      ),
    ),
    status: Type.Optional(
      Type.Object(
        { file: path('Where the status (never a token) is written after each refresh.') },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
)

import type { JwtClaims } from '@tessera/verify'

/** One trust policy as written in `tessera.yaml` (`policies[]`). */
export interface PolicyConfig {
  readonly name: string
  /**
   * Set only on the policies a `clouds` dialect implies (never from `policies[]`, whose schema
   * has no such field): the dialect whose requests alone may use it, and only by naming it.
   */
  readonly dialect?: string
  /** `allow` (default) grants; `deny` refuses and wins over every allow. */
  readonly effect?: 'allow' | 'deny'
  /** What the policy is for: exchanging a token (default) or issuing a workload identity token. */
  readonly use?: 'exchange' | 'identity'
  /** Issuer of the presented token, exactly as its `iss` (a trusted issuer, or Tessera's own). */
  readonly issuer: string
  /** Accepted `aud` of the presented token (exact); default: Tessera's own issuer URL. */
  readonly audience?: string | readonly string[]
  /** `sub` of the presented token: exact, or a glob (`*` stops at `/` and `:`; `**` does not). */
  readonly subject?: string
  /** Claim constraints: value exact or glob, or a list of alternatives. */
  readonly claims?: Readonly<
    Record<string, string | number | boolean | readonly (string | number | boolean)[]>
  >
  /** A CEL expression over `claims`, `header`, `request`; false denies with `message`. */
  readonly condition?: { readonly expression: string; readonly message: string }
  /** Target services: names or audience identifiers from the inventory (exchange policies). */
  readonly targets?: readonly string[]
  /** Scopes that may be granted; requested scopes outside this list are refused. */
  readonly scopes?: readonly string[]
  /** Cap on the issued token's lifetime, seconds. */
  readonly maxTtlSeconds?: number
  /** Output mapping. `{trustDomain}`, `{claims.NAME}` and `{sub}` are substituted. */
  readonly output?: {
    readonly subject?: string
    readonly claims?: Readonly<Record<string, string>>
  }
  /** Each presented token accepted once (its `jti` is required and remembered until `exp`). */
  readonly singleUse?: boolean
  /** Delegation: which actor tokens may act for this subject (RFC 8693 `actor_token`). */
  readonly actor?: {
    readonly issuer: string
    readonly subject?: string
    /** When true, the subject token must carry a `may_act` claim naming the actor (RFC 8693 §4.4). */
    readonly requireMayAct?: boolean
  }
}

/** The identity presented to Tessera, after `@tessera/verify` accepted it. */
export interface PresentedToken {
  readonly issuer: string
  readonly claims: JwtClaims
  readonly header: Readonly<Record<string, unknown>>
}

/** What the caller asks for: the canonical request every dialect parses into. */
export interface PolicyRequest {
  readonly use: 'exchange' | 'identity'
  readonly subject: PresentedToken
  readonly actor?: PresentedToken
  /** Requested target audience (one; resolved against the inventory). */
  readonly target?: string
  readonly scopes: readonly string[]
  /** Requested lifetime, seconds, if the caller asked for one. */
  readonly requestedTtlSeconds?: number
  /** Only this allow policy may grant (a dialect's role); deny policies still apply. */
  readonly policy?: string
  /** The dialect that parsed the request: a dialect's implied policy answers only its own. */
  readonly dialect?: string
}

/** A granted request: which policy matched, and what to mint. */
export interface PolicyGrant {
  readonly policy: string
  /** Output `sub` after mapping (defaults to the presented `sub`). */
  readonly subject: string
  /** The target audience identifier (from the inventory) — the output `aud`. */
  readonly audience: string
  /** The inventory service the audience belongs to. */
  readonly service?: string
  readonly scopes: readonly string[]
  /**
   * Lifetime cap, seconds: `min(maxTtlSeconds, requestedTtlSeconds)` over those set, and
   * `Infinity` when neither is — the caller applies the global default and cap.
   */
  readonly ttlSeconds: number
  /** Extra output claims after mapping. */
  readonly claims: Readonly<Record<string, unknown>>
  /** The presented token must be remembered as used (policy `singleUse`). */
  readonly singleUse: boolean
}

/** One service of the inventory: its name and the audience identifiers it accepts. */
export interface InventoryService {
  readonly name: string
  /** Audience identifiers (`aud`) the service accepts; the first is its default. */
  readonly audiences: readonly string[]
  readonly owner?: string
}

/** The `inventory` section: every service and its audience identifiers, the one list of them. */
export interface Inventory {
  readonly services: readonly InventoryService[]
}

/** What policies are compiled against: the rest of the configuration they refer to. */
export interface PolicyContext {
  readonly inventory: Inventory
  readonly trustDomain: string
  /** Tessera's own issuer URL: a policy may name it as `issuer`; the default accepted `aud`. */
  readonly issuerUrl: string
  /** The `issuer` of every trusted external issuer. */
  readonly trustedIssuers: readonly string[]
}

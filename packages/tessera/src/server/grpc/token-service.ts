import type { UntypedServiceImplementation } from '@grpc/grpc-js'
import type { ExchangeEngine } from '../../sts/index.ts'
import type { Logger } from '../../telemetry/index.ts'
import {
  type ExchangeMessage,
  type IdentityTokenMessage,
  parseExchangeMessage,
  parseIdentityTokenMessage,
} from './parse-grpc-request.ts'
import { unaryHandler } from './unary-handler.ts'

/** `tessera.v1.ExchangeResponse` as proto-loader encodes it. */
export interface ExchangeResponseMessage {
  readonly access_token: string
  readonly issued_token_type: string
  readonly token_type: string
  readonly expires_in: number
  readonly scope: string
  readonly correlation_id: string
}

/** `tessera.v1.IdentityTokenResponse` as proto-loader encodes it. */
export interface IdentityTokenResponseMessage {
  readonly token: string
  readonly subject: string
  readonly audience: string
  readonly expires_in: number
  readonly expires_at: number
  readonly correlation_id: string
}

/** What the token service is built from. */
export interface TokenServiceDeps {
  readonly engine: ExchangeEngine
  readonly logger: Logger
  /** Epoch milliseconds, for deadlines (default `Date.now`). */
  readonly nowMs?: () => number
}

/**
 * The `tessera.v1.TokenService` implementation over the one exchange engine (dialect `grpc`):
 * `Exchange` is RFC 8693 with the token-exchange dialect's rules, `IssueIdentityToken` the
 * workload identity endpoint. Every call is audited by the engine, as over HTTP.
 */
export function createTokenService(deps: TokenServiceDeps): UntypedServiceImplementation {
  const nowMs = deps.nowMs ?? Date.now
  return {
    Exchange: unaryHandler<ExchangeMessage, ExchangeResponseMessage>(
      'Exchange',
      deps.logger,
      async (message, correlationId) => {
        const result = await deps.engine.exchange(parseExchangeMessage(message, correlationId))
        return {
          access_token: result.accessToken,
          issued_token_type: result.issuedTokenType,
          token_type: result.tokenType,
          expires_in: result.expiresIn,
          scope: result.scope ?? '',
          correlation_id: result.correlationId,
        }
      },
      nowMs,
    ),
    IssueIdentityToken: unaryHandler<IdentityTokenMessage, IdentityTokenResponseMessage>(
      'IssueIdentityToken',
      deps.logger,
      async (message, correlationId) => {
        const request = parseIdentityTokenMessage(message)
        const result = await deps.engine.issueIdentity({ ...request, correlationId })
        return {
          token: result.token,
          subject: result.subject,
          audience: result.audience,
          expires_in: result.expiresIn,
          expires_at: result.expiresAt,
          correlation_id: result.correlationId,
        }
      },
      nowMs,
    ),
  }
}

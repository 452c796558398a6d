/**
 * @module agent — runs beside a workload: attests to Tessera, keeps one fresh token per
 * audience in files the cloud SDKs read, and reports its health. A client of the server over
 * HTTP; it imports only `@tessera/verify`.
 */

export { type Agent, type AgentOptions, createAgent, type Schedule } from './agent.ts'
export {
  type AttestationLease,
  type Attestor,
  createAttestor,
  readCredential,
} from './attestation.ts'
export {
  type AgentAttestation,
  type AgentConfig,
  type AgentTokenConfig,
  loadAgentConfig,
  parseAgentConfig,
  type SecretSource,
} from './config.ts'
export {
  type AgentEvent,
  type AgentStatus,
  type AudienceStatus,
  type RefreshError,
  readStatusFile,
  writeStatusFile,
} from './status.ts'
export { type WriteFileAtomicOptions, writeFileAtomic } from './write-file-atomic.ts'

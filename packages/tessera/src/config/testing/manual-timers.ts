// The SAML metadata refresh takes the same injected scheduler as the agent: one test clock for
// both (config may import any part; the agent's copy is the one kept).
export { type ManualTimers, manualTimers } from '../../agent/testing/manual-timers.ts'

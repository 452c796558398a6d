/**
 * @module telemetry — the logger (and later metrics and tracing) handed to the other parts.
 * Passed in, never imported as a singleton; may import the parts' event types only.
 */

export {
  createLogger,
  type Logger,
  type LoggerOptions,
  type LogLevel,
  redactedPaths,
} from './logger.ts'

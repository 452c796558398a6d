import { type Static, Type } from 'typebox'

/** Log levels, as pino names them, from the most to the least severe; `silent` logs nothing. */
export const logLevels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const

/** A log level of the `telemetry` section. */
export type LogLevel = (typeof logLevels)[number]

/** JSON Schema (TypeBox) of the `telemetry` section. */
export const telemetrySectionSchema = Type.Object(
  {
    logLevel: Type.Optional(
      Type.Enum([...logLevels], {
        default: 'info',
        description:
          'Least severe level written to the log: fatal, error, warn, info, debug, trace or silent.',
      }),
    ),
  },
  { additionalProperties: false, description: 'Logging, metrics and tracing.' },
)

/** The `telemetry` section as written in `tessera.yaml`. */
export type TelemetrySection = Static<typeof telemetrySectionSchema>

import { type Static, Type } from 'typebox'

/**
 * The `store` section of `tessera.yaml`: where Tessera keeps its signing keys, join tokens,
 * replay identifiers and audit records. Every key is optional; the defaults give an embedded
 * SQLite database in `./.tessera`.
 */
export const storeSectionSchema = Type.Object(
  {
    kind: Type.Optional(
      Type.Enum(['sqlite', 'memory'], {
        default: 'sqlite',
        description:
          'sqlite (default): one file, <dataDir>/tessera.db, that survives restarts and is shared with the CLI; memory: nothing survives the process (tests, demos)',
      }),
    ),
    dataDir: Type.Optional(
      Type.String({
        minLength: 1,
        default: './.tessera',
        description:
          'directory of the SQLite database tessera.db (and of a file: key-encryption key); created with mode 0700 when absent',
      }),
    ),
  },
  {
    additionalProperties: false,
    description: 'storage of keys, join tokens, replay identifiers and audit records',
  },
)

/** The `store` section as written in `tessera.yaml` (both keys optional). */
export type StoreSection = Static<typeof storeSectionSchema>

/** The `store` section resolved by config: defaults applied, `dataDir` absolute. */
export interface StoreSettings {
  readonly kind: 'sqlite' | 'memory'
  /** Absolute directory holding `tessera.db`. */
  readonly dataDir: string
}

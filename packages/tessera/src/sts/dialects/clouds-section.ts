import type { AwsDialectSection } from './aws-sts/config-schema.ts'
import type { EntraDialectSection } from './entra/config-schema.ts'
import type { GcpDialectSection } from './google-sts/config-schema.ts'

/** The `clouds` section of `tessera.yaml`, as the dialects read it. */
export interface CloudsSection {
  readonly aws?: AwsDialectSection
  readonly entra?: EntraDialectSection
  readonly gcp?: GcpDialectSection
}

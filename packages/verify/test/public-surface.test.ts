// Lists the names each subpath of @tessera/verify exports and compares them with the
// checked-in list, so an API change is always a deliberate diff of public-surface.json.
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { describe, it } from 'node:test'

const expected = JSON.parse(
  readFileSync(new URL('./public-surface.json', import.meta.url), 'utf8'),
) as Record<string, string[]>

describe('public surface of @tessera/verify', () => {
  it('exports exactly the names listed in public-surface.json from "."', async () => {
    const actual = Object.keys(await import('@tessera/verify')).sort()
    assert.deepEqual(actual, expected['.'])
  })
})

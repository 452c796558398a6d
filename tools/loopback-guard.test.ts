import assert from 'node:assert/strict'
import { createServer } from 'node:http'
import { describe, it } from 'node:test'
import { isLoopback } from './loopback-guard.ts'

describe('the loopback guard', () => {
  it('tells loopback hosts from others', () => {
    for (const host of [
      '127.0.0.1',
      '127.1.2.3',
      '::1',
      '[::1]',
      'localhost',
      '::ffff:127.0.0.1',
    ]) {
      assert.equal(isLoopback(host), true, host)
    }
    for (const host of ['10.0.0.1', '169.254.169.254', 'example.com', '::2', '8.8.8.8', '']) {
      assert.equal(isLoopback(host), false, host)
    }
  })

  it('refuses a fetch beyond loopback before any packet leaves', async () => {
    await assert.rejects(fetch('http://169.254.169.254/latest/meta-data/'), (error: Error) => {
      const cause = (error as { cause?: Error }).cause
      return /loopback guard/.test(`${error.message} ${cause?.message ?? ''}`)
    })
  })

  it('refuses a DNS lookup of a public name', async () => {
    await assert.rejects(fetch('https://sts.amazonaws.com/'), (error: Error) => {
      const cause = (error as { cause?: Error }).cause
      return /loopback guard/.test(`${error.message} ${cause?.message ?? ''}`)
    })
  })

  it('lets loopback traffic through', async (t) => {
    const server = createServer((_req, res) => res.end('ok'))
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    t.after(() => server.close())
    const { port } = server.address() as { port: number }
    assert.equal(await (await fetch(`http://127.0.0.1:${port}/`)).text(), 'ok')
  })
})

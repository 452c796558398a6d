import assert from 'node:assert/strict'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { after, before, describe, test } from 'node:test'
import { awsCredentialProcess, awsEnvironment } from './aws.ts'
import { decodeXmlText, parseStsAnswer } from './sts-xml.ts'

const ok = (inner: string) =>
  `<AssumeRoleWithWebIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleWithWebIdentityResult>${inner}</AssumeRoleWithWebIdentityResult></AssumeRoleWithWebIdentityResponse>`
const credentials =
  '<Credentials><AccessKeyId>ASIAEXAMPLE</AccessKeyId><SecretAccessKey>s&amp;cret</SecretAccessKey><SessionToken>tok</SessionToken><Expiration>2030-01-01T00:00:00Z</Expiration></Credentials>'

describe('parseStsAnswer', () => {
  test('reads the credentials of the operation result, entities decoded', () => {
    assert.deepEqual(parseStsAnswer(`<?xml version="1.0"?>${ok(credentials)}`), {
      kind: 'credentials',
      accessKeyId: 'ASIAEXAMPLE',
      secretAccessKey: 's&cret',
      sessionToken: 'tok',
      expiration: '2030-01-01T00:00:00Z',
    })
  })
  test('reads an error under any root', () => {
    assert.deepEqual(
      parseStsAnswer(
        '<X><Error><Code>AccessDenied</Code><Message>no &lt;way&gt;</Message></Error></X>',
      ),
      { kind: 'error', code: 'AccessDenied', message: 'no <way>' },
    )
  })
  test('refuses a document type, a wrong wrapper and missing keys', () => {
    assert.equal(
      parseStsAnswer(`<!DOCTYPE x [<!ENTITY a "b">]>${ok(credentials)}`).kind,
      'unreadable',
    )
    assert.equal(
      parseStsAnswer(`<R><AssumeRoleWithSAMLResult>${credentials}</AssumeRoleWithSAMLResult></R>`)
        .kind,
      'unreadable',
    )
    assert.equal(
      parseStsAnswer(ok('<Credentials><AccessKeyId>A</AccessKeyId></Credentials>')).kind,
      'unreadable',
    )
  })
  test('decodes character references and refuses unknown or unterminated entities', () => {
    assert.equal(decodeXmlText('&#65;&#x42;&quot;&apos;'), 'AB"\'')
    assert.equal(decodeXmlText('&nbsp;'), undefined)
    assert.equal(decodeXmlText('a &amp b'), undefined)
    assert.equal(decodeXmlText('&#x110000;'), undefined)
  })
})

describe('awsCredentialProcess against a loopback STS', () => {
  let url: string
  let answer: (request: IncomingMessage, response: ServerResponse, body: URLSearchParams) => void
  const server = createServer((request, response) => {
    let text = ''
    request.on('data', (chunk) => {
      text += chunk
    })
    request.on('end', () => answer(request, response, new URLSearchParams(text)))
  })
  before(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  })
  after(() => server.close())
  const input = { roleArn: 'arn:aws:iam::123456789012:role/r', sessionName: 's1', token: 'a.b.c' }

  test('sends the unsigned form and prints Version 1 credentials', async () => {
    let sent: URLSearchParams | undefined
    answer = (_request, response, body) => {
      sent = body
      response.end(ok(credentials))
    }
    const result = await awsCredentialProcess({ ...input, endpoint: url, durationSeconds: 900 })
    assert.deepEqual(result, {
      Version: 1,
      AccessKeyId: 'ASIAEXAMPLE',
      SecretAccessKey: 's&cret',
      SessionToken: 'tok',
      Expiration: '2030-01-01T00:00:00Z',
    })
    assert.deepEqual(Object.fromEntries(sent ?? []), {
      Action: 'AssumeRoleWithWebIdentity',
      Version: '2011-06-15',
      RoleArn: input.roleArn,
      RoleSessionName: 's1',
      WebIdentityToken: 'a.b.c',
      DurationSeconds: '900',
    })
  })

  test("keeps Tessera's code and hint, or maps STS's own code", async () => {
    answer = (_request, response) => {
      response.writeHead(400, {
        'tessera-error-code': 'malformed',
        'tessera-error-hint': 'whitespace',
      })
      response.end(
        '<ErrorResponse><Error><Code>InvalidIdentityToken</Code><Message>bad token</Message></Error></ErrorResponse>',
      )
    }
    await assert.rejects(awsCredentialProcess({ ...input, endpoint: url }), {
      code: 'malformed',
      hint: 'whitespace',
      message:
        'STS refused AssumeRoleWithWebIdentity for "arn:aws:iam::123456789012:role/r": InvalidIdentityToken: bad token',
    })
    answer = (_request, response) => {
      response.writeHead(400)
      response.end(
        '<ErrorResponse><Error><Code>ExpiredTokenException</Code><Message>old</Message></Error></ErrorResponse>',
      )
    }
    await assert.rejects(awsCredentialProcess({ ...input, endpoint: url }), { code: 'expired' })
    answer = (_request, response) => {
      response.writeHead(503)
      response.end('down')
    }
    await assert.rejects(awsCredentialProcess({ ...input, endpoint: url }), {
      code: 'upstream_unavailable',
      message: /HTTP 503$/,
    })
  })

  test('refuses a success without credentials or with a bad Expiration', async () => {
    answer = (_request, response) => response.end('<R><Other/></R>')
    await assert.rejects(awsCredentialProcess({ ...input, endpoint: url }), {
      code: 'upstream_unavailable',
      message: /without credentials: the answer has no AssumeRoleWithWebIdentityResult/,
    })
    answer = (_request, response) =>
      response.end(ok(credentials.replace('2030-01-01T00:00:00Z', 'soon')))
    await assert.rejects(awsCredentialProcess({ ...input, endpoint: url }), {
      code: 'upstream_unavailable',
      message: /not an RFC 3339 time/,
    })
  })

  test('a server that is down, too slow or too talkative is upstream_unavailable', async () => {
    const closed = createServer()
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve))
    const port = (closed.address() as AddressInfo).port
    await new Promise((resolve) => closed.close(resolve))
    await assert.rejects(awsCredentialProcess({ ...input, endpoint: `http://127.0.0.1:${port}` }), {
      code: 'upstream_unavailable',
      message: /ECONNREFUSED/,
    })
    answer = () => undefined
    await assert.rejects(awsCredentialProcess({ ...input, endpoint: url, timeoutMs: 50 }), {
      code: 'upstream_unavailable',
      message: /no answer within 50 ms/,
    })
    answer = (_request, response) => response.end('x'.repeat(70 * 1024))
    await assert.rejects(awsCredentialProcess({ ...input, endpoint: url }), {
      code: 'upstream_unavailable',
      message: /larger than 65536 bytes/,
    })
  })
})

test('awsEnvironment names the token file, the role and a non-default endpoint', () => {
  assert.deepEqual(
    awsEnvironment({ tokenFile: '/t', roleArn: 'arn', sessionName: 's', stsEndpoint: 'http://x' }),
    {
      AWS_WEB_IDENTITY_TOKEN_FILE: '/t',
      AWS_ROLE_ARN: 'arn',
      AWS_ROLE_SESSION_NAME: 's',
      AWS_ENDPOINT_URL_STS: 'http://x',
    },
  )
  assert.deepEqual(Object.keys(awsEnvironment({ tokenFile: '/t', roleArn: 'arn' })), [
    'AWS_WEB_IDENTITY_TOKEN_FILE',
    'AWS_ROLE_ARN',
  ])
})

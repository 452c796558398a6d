import { isTesseraError, type Problem, quote, systemClock, TesseraError } from '@tessera/verify'
import {
  type AssertionFacts,
  checkAudience,
  checkDestination,
  checkExpiry,
  checkInResponseTo,
  checkIssuers,
  checkNameId,
  checkNotBefore,
  checkResponseIssuer,
  checkStatus,
  checkSubjectConfirmation,
  issuerOf,
  lifetimeEnd,
  type ResponseFacts,
  readAssertion,
  readResponse,
} from './assertion.ts'
import { signerSummary } from './certificates.ts'
import { cbcAlgorithms } from './decrypt/algorithms.ts'
import { decryptAssertion } from './decrypt/decrypt-assertion.ts'
import { childElements as childrenNamed } from './decrypt/elements.ts'
import { type DocumentIndex, indexDocument, isElement, ns } from './dom.ts'
import { decodeSamlInput, defaultMaxBytes, parseXml } from './parse-xml.ts'
import { type VerifiedSignature, verifyEnvelopedSignature } from './signature.ts'
import type {
  SamlCheckName,
  SamlCheckResult,
  SamlEvaluation,
  SamlIdp,
  SamlValidationOptions,
  ValidatedAssertion,
} from './types.ts'

const defaultSkewSeconds = 60
// Why the doctor skips a check of content no verified signature covers: a pass there would
// present content anyone could have written as checked.
const notSigned = 'not read: no verified signature covers it'

/**
 * Validates a SAML 2.0 Response (base64 of the POST binding, or XML) and its one Assertion:
 * signature with the IdP's configured certificates, then Status, Destination, InResponseTo,
 * bearer SubjectConfirmation, Audience, validity window and single use. Everything returned
 * is read from the element the verified signature covers.
 *
 * An EncryptedAssertion is opened with `decryptionKey` after the Response signature (if any)
 * has verified over the document as received; the decrypted Assertion is parsed on its own
 * and goes through every check above, its own signature verified against the decrypted XML.
 * AES-CBC is decrypted only when the IdP the Response Issuer names allows it (with no
 * Response Issuer: when some IdP allows it), and is then refused unless the IdP of the
 * decrypted Assertion's Issuer allows it.
 *
 * @throws {TesseraError} the first failed check, with expected vs actual and a near-miss hint
 */
export async function validateSamlResponse(
  input: string,
  options: SamlValidationOptions,
): Promise<ValidatedAssertion> {
  const result = await run(input, options, true)
  // run() throws on the first failure when asked to; an assertion is always there otherwise.
  return result.assertion as ValidatedAssertion
}

/**
 * Runs every check of `validateSamlResponse` without stopping at the first failure and without
 * recording the assertion ID (for `tessera doctor saml`). Checks that cannot run because an
 * earlier one failed are `skipped`; `primary` is the most likely root cause.
 */
export async function evaluateSamlResponse(
  input: string,
  options: SamlValidationOptions,
): Promise<SamlEvaluation> {
  return run(input, options, false)
}

function checkOptions(options: SamlValidationOptions): void {
  const problems: Problem[] = []
  if (!Array.isArray(options.idps) || options.idps.length === 0) {
    problems.push({ path: 'idps', message: 'at least one trusted IdP is required' })
  } else {
    options.idps.forEach((idp, i) => {
      if (typeof idp.entityId !== 'string' || idp.entityId === '') {
        problems.push({ path: `idps[${i}].entityId`, message: 'must be a non-empty string' })
      }
      if (!Array.isArray(idp.signingCertificates) || idp.signingCertificates.length === 0) {
        problems.push({
          path: `idps[${i}].signingCertificates`,
          message: 'at least one certificate is required',
        })
      }
    })
  }
  for (const key of ['spEntityId', 'acsUrl'] as const) {
    if (typeof options[key] !== 'string' || options[key] === '') {
      problems.push({ path: key, message: 'must be a non-empty string' })
    }
  }
  const skew = options.clockSkewSeconds
  if (skew !== undefined && !(Number.isFinite(skew) && skew >= 0)) {
    problems.push({ path: 'clockSkewSeconds', message: 'must be a number ≥ 0' })
  }
  const max = options.maxBytes
  if (max !== undefined && !(Number.isInteger(max) && max > 0)) {
    problems.push({ path: 'maxBytes', message: 'must be a positive integer' })
  }
  if (problems.length > 0) {
    throw new TesseraError({
      code: 'invalid_options',
      message: `invalid SAML validation options: ${problems.map((p) => `${p.path} ${p.message}`).join('; ')}`,
      problems,
    })
  }
}

interface Located {
  readonly xml: string
  readonly response: Element
  readonly index: DocumentIndex
  readonly assertion: Element
  readonly responseSignature?: Element
  readonly assertionSignature?: Element
}

function structural(message: string): TesseraError {
  return new TesseraError({ code: 'malformed', check: 'structure', message })
}

// Finds the one Assertion and the signatures allowed to cover it: a direct child of the
// Response or of that Assertion, one each. Anything else is how wrapping attacks hide content.
function locate(xml: string, doc: Document, response: ResponseFacts | undefined): Located {
  const root = doc.documentElement
  if (!isElement(root, ns.protocol, 'Response')) {
    throw structural(
      `the root element is ${root.localName} (${root.namespaceURI ?? 'no namespace'}), expected samlp:Response`,
    )
  }
  const index = indexDocument(root)
  if (index.assertions.length === 0) {
    const status = response === undefined ? undefined : checkStatus(response)
    throw (
      status ??
      new TesseraError({
        code: 'missing_claim',
        check: 'structure',
        message: 'the Response holds no Assertion',
        expected: 'one Assertion',
        actual: 'none',
      })
    )
  }
  if (index.assertions.length > 1) {
    throw new TesseraError({
      code: 'multiple_assertions',
      check: 'structure',
      message: `the Response holds ${index.assertions.length} Assertions (or EncryptedAssertions), expected exactly 1`,
      expected: '1',
      actual: String(index.assertions.length),
    })
  }
  const assertion = index.assertions[0] as Element
  if (assertion.parentNode !== root) {
    throw structural('the Assertion is not a direct child of the Response')
  }
  const encrypted = isElement(assertion, ns.assertion, 'EncryptedAssertion')
  let responseSignature: Element | undefined
  let assertionSignature: Element | undefined
  for (const signature of index.signatures) {
    const parent = signature.parentNode
    if (parent === root && responseSignature === undefined) responseSignature = signature
    else if (parent === assertion && encrypted) {
      // An encrypted Assertion carries its signature inside the ciphertext (saml-core §6.2).
      throw structural('a Signature sits directly in the EncryptedAssertion, where none belongs')
    } else if (parent === assertion && assertionSignature === undefined)
      assertionSignature = signature
    else if (parent === root || parent === assertion) {
      throw structural(`the ${(parent as Element).localName} carries more than one Signature`)
    } else {
      throw structural(
        `a Signature sits inside ${(parent as Element).localName}, where no signature belongs (only the Response and the Assertion are signed)`,
      )
    }
  }
  return {
    xml,
    response: root,
    index,
    assertion,
    ...(responseSignature ? { responseSignature } : {}),
    ...(assertionSignature ? { assertionSignature } : {}),
  }
}

/** The Assertion the checks read, and the document its own signature is verified against. */
interface Subject {
  readonly xml: string
  readonly index: DocumentIndex
  readonly assertion: Element
  readonly signature?: Element
}

function plainSubject(l: Located): Subject {
  return {
    xml: l.xml,
    index: l.index,
    assertion: l.assertion,
    ...(l.assertionSignature ? { signature: l.assertionSignature } : {}),
  }
}

/**
 * Decrypts the EncryptedAssertion and parses the Assertion on its own, with the same hardened
 * parser; its signature, if any, must be its direct child, as in a plain Response.
 *
 * AES-CBC policy: the Assertion's Issuer is inside the ciphertext, so the IdP is first taken
 * from the Response Issuer (which saml-profiles §4.1.4.2 requires around an encrypted
 * assertion) and CBC is decrypted only if that IdP allows it; without a Response Issuer, only
 * if some IdP allows it. Either way CBC is refused afterwards unless the IdP the decrypted
 * Issuer names allows it, so one IdP's allowance never covers another's assertions.
 */
function openEncrypted(
  l: Located,
  envelope: ResponseFacts,
  options: SamlValidationOptions,
): Subject {
  const key = options.decryptionKey
  if (key === undefined) {
    throw new TesseraError({
      code: 'decryption_failed',
      check: 'decryption',
      message:
        'the Response holds an EncryptedAssertion but no SP decryption key is configured (saml.decryptionKey)',
      expected: 'an SP private key',
      actual: 'none configured',
    })
  }
  const allowCbc =
    envelope.issuer === undefined
      ? options.idps.some((i) => i.allowCbc === true)
      : selectIdp(options.idps, envelope.issuer)?.allowCbc === true
  const xml = decryptAssertion(l.assertion, key, {
    allowCbc,
    maxBytes: options.maxBytes ?? defaultMaxBytes,
  })
  const assertion = parseXml(xml, 'decrypted Assertion').documentElement
  const index = indexDocument(assertion)
  let signature: Element | undefined
  for (const s of index.signatures) {
    if (s.parentNode !== assertion || signature !== undefined) {
      throw structural(
        'a Signature in the decrypted Assertion is not its one direct child Signature, where no signature belongs',
      )
    }
    signature = s
  }
  // decryptAssertion accepted exactly one EncryptedData child with one EncryptionMethod.
  const data = childrenNamed(l.assertion, 'EncryptedData')[0] as Element
  const algorithm = childrenNamed(data, 'EncryptionMethod')[0]?.getAttribute('Algorithm') ?? ''
  const issuer = issuerOf(assertion)
  const idp = selectIdp(options.idps, issuer)
  // An untrusted Issuer is the issuer check's to report.
  if (cbcAlgorithms.includes(algorithm) && idp !== undefined && idp.allowCbc !== true) {
    throw new TesseraError({
      code: 'alg_not_allowed',
      check: 'decryption',
      message: `the Assertion from ${quote(idp.entityId)} was encrypted with AES-CBC ${quote(algorithm)}, which this IdP entry does not allow; set allowCbc: true on it only if the IdP cannot use AES-GCM`,
      expected: 'AES-GCM',
      actual: algorithm,
    })
  }
  return { xml, index, assertion, ...(signature ? { signature } : {}) }
}

/**
 * The Response signature around an EncryptedAssertion, verified before anything is
 * decrypted, with the IdP the Response Issuer names (a lone IdP when it names none; for
 * diagnosis, also when it names another). Returns the failure instead of throwing when every
 * check is to run.
 */
function verifyResponseFirst(
  l: Located,
  envelope: ResponseFacts,
  options: SamlValidationOptions,
  stopAtFirst: boolean,
): VerifiedSignature | TesseraError {
  try {
    let idp = selectIdp(options.idps, envelope.issuer)
    const lone = options.idps.length === 1 ? options.idps[0] : undefined
    if (idp === undefined && (envelope.issuer === undefined || !stopAtFirst)) idp = lone
    if (idp === undefined) {
      throw checkResponseIssuer(
        envelope,
        options.idps.map((i) => i.entityId),
      ) as TesseraError
    }
    checkMetadataFresh(idp, (options.clock ?? systemClock)())
    return verifyEnvelopedSignature(l.xml, l.responseSignature as Element, l.index, idp)
  } catch (e) {
    if (!isTesseraError(e) || stopAtFirst) throw e
    return e
  }
}

// Metadata past its validUntil no longer vouches for the certificates it lists (SAML metadata
// §2.3.1): a refresh that keeps failing must end in a refusal, not in trusting stale keys.
function checkMetadataFresh(idp: SamlIdp, now: number): void {
  if (idp.validUntil === undefined || now < idp.validUntil) return
  const until = new Date(idp.validUntil * 1000).toISOString()
  throw new TesseraError({
    code: 'metadata_expired',
    check: 'metadata',
    message: `the metadata of ${quote(idp.entityId)} expired at ${until} (validUntil) and could not be refreshed: its certificates are no longer trusted`,
    expected: `metadata valid at ${new Date(now * 1000).toISOString()}`,
    actual: `validUntil ${until}`,
  })
}

function selectIdp(idps: readonly SamlIdp[], issuer: string | undefined): SamlIdp | undefined {
  return idps.find((i) => i.entityId === issuer)
}

async function run(
  input: string,
  options: SamlValidationOptions,
  stopAtFirst: boolean,
): Promise<SamlEvaluation> {
  checkOptions(options)
  const clock = options.clock ?? systemClock
  const skew = options.clockSkewSeconds ?? defaultSkewSeconds
  const checks: SamlCheckResult[] = []
  const failures: TesseraError[] = []

  // `ready` false: skipped because an earlier check failed; a string: skipped for that reason.
  const step = (
    name: SamlCheckName,
    ready: boolean | string,
    body: () => TesseraError | undefined,
  ): boolean => {
    if (ready !== true) {
      checks.push({ name, status: 'skipped', ...(ready === false ? {} : { reason: ready }) })
      return false
    }
    let error: TesseraError | undefined
    try {
      error = body()
    } catch (e) {
      if (!isTesseraError(e)) throw e
      error = e
    }
    if (error === undefined) {
      checks.push({ name, status: 'ok' })
      return true
    }
    if (stopAtFirst) throw error
    checks.push({ name, status: 'failed', error })
    failures.push(error)
    return false
  }

  let doc: Document | undefined
  let xml = ''
  const decoded = step('decode', true, () => {
    xml = decodeSamlInput(input, options.maxBytes ?? defaultMaxBytes)
    doc = parseXml(xml)
    return undefined
  })
  let response: ResponseFacts | undefined
  let located: Located | undefined
  const found = step('structure', decoded, () => {
    const d = doc as Document
    response = isElement(d.documentElement, ns.protocol, 'Response')
      ? readResponse(d.documentElement)
      : undefined
    located = locate(xml, d, response)
    return undefined
  })
  const loc = located as Located | undefined
  const envelope = response as ResponseFacts | undefined
  const encrypted =
    loc !== undefined && isElement(loc.assertion, ns.assertion, 'EncryptedAssertion')
  let subject: Subject | undefined = loc && !encrypted ? plainSubject(loc) : undefined
  // The Response signature covers the ciphertext: it is checked on the document as received,
  // before the SP key touches anything.
  const early =
    encrypted && loc.responseSignature !== undefined
      ? verifyResponseFirst(loc, envelope as ResponseFacts, options, stopAtFirst)
      : undefined
  if (encrypted) {
    // A Response signature that fails means the ciphertext is not the IdP's: left closed.
    step('decryption', !isTesseraError(early), () => {
      subject = openEncrypted(loc, envelope as ResponseFacts, options)
      return undefined
    })
  }
  const opened = subject as Subject | undefined
  const assertionIssuer = opened ? issuerOf(opened.assertion) : undefined
  let idp = selectIdp(options.idps, assertionIssuer)
  step('issuer', opened !== undefined, () =>
    checkIssuers(
      envelope as ResponseFacts,
      assertionIssuer,
      options.idps.map((i) => i.entityId),
    ),
  )
  // For diagnosis, a lone IdP is still tried when the issuer did not match.
  if (!stopAtFirst && idp === undefined && options.idps.length === 1) idp = options.idps[0]
  let verified: VerifiedSignature | undefined
  let signedElement: 'Response' | 'Assertion' = 'Assertion'
  const earlyFailure = isTesseraError(early) ? early : undefined
  const ready = (opened !== undefined && idp !== undefined) || earlyFailure !== undefined
  const signed = step('signature', ready, () => {
    if (earlyFailure !== undefined) return earlyFailure
    const l = loc as Located
    const s = opened as Subject
    const trusted = idp as SamlIdp
    checkMetadataFresh(trusted, clock())
    if (l.responseSignature === undefined && s.signature === undefined) {
      return new TesseraError({
        code: 'missing_signature',
        check: 'signature',
        message: 'neither the Response nor its Assertion is signed',
        expected: 'a signature on the Response or the Assertion',
        actual: 'none',
      })
    }
    // Both must verify when both are present: one good signature never excuses a bad one.
    const onResponse =
      l.responseSignature &&
      ((early as VerifiedSignature | undefined) ??
        verifyEnvelopedSignature(l.xml, l.responseSignature, l.index, trusted))
    const onAssertion =
      s.signature && verifyEnvelopedSignature(s.xml, s.signature, s.index, trusted)
    verified = onAssertion ?? onResponse
    signedElement = onAssertion ? 'Assertion' : 'Response'
    // The data below is read from this node's subtree only: the verified Reference's target
    // (the Assertion, or the Response whose one Assertion child it is — for an encrypted
    // one, the ciphertext the Response signature covers).
    if (verified?.element !== s.assertion && verified?.element !== l.response) {
      throw new TesseraError({
        code: 'bad_signature',
        message: 'the verified signature does not cover the Assertion',
      })
    }
    return undefined
  })
  // Everything below reads the Response or its Assertion, which only a verified signature
  // vouches for. (Validation stops at a failed signature, so this only changes what the
  // doctor shows.) The issuer, read before the signature to pick the IdP's keys, likewise.
  const covered = (ready: boolean): boolean | string => ready && (signed || notSigned)
  // The envelope is also covered by a Response signature verified before decryption failed.
  const envelopeSigned = signed || (early !== undefined && !isTesseraError(early))
  const envelopeCovered = (ready: boolean): boolean | string =>
    ready && (envelopeSigned || notSigned)
  const issuerCheck = checks.findIndex((c) => c.name === 'issuer' && c.status === 'ok')
  if (!signed && issuerCheck >= 0)
    checks[issuerCheck] = { name: 'issuer', status: 'skipped', reason: notSigned }
  let facts: AssertionFacts | undefined
  const content = covered(opened !== undefined)
  const readable = step('assertion', content, () => {
    facts = readAssertion((opened as Subject).assertion)
    return undefined
  })
  const a = facts as AssertionFacts | undefined
  // Skipped for the assertion's own reason when it was not read, not as an earlier failure.
  const read = content === true ? readable : content
  const now = clock()
  const t = { now, skew }
  step('status', envelopeCovered(envelope !== undefined && found), () =>
    checkStatus(envelope as ResponseFacts),
  )
  step('destination', envelopeCovered(found), () =>
    checkDestination(
      envelope as ResponseFacts,
      options.acsUrl,
      (loc as Located).responseSignature !== undefined,
    ),
  )
  step('in_response_to', envelopeCovered(found), () =>
    checkInResponseTo(envelope as ResponseFacts, options.requestId),
  )
  step('subject_confirmation', read, () =>
    checkSubjectConfirmation(a as AssertionFacts, options.acsUrl, options.requestId, t),
  )
  step('audience', read, () =>
    checkAudience(a as AssertionFacts, options.spEntityId, options.requireAudience ?? true),
  )
  step('not_before', read, () => checkNotBefore(a as AssertionFacts, t))
  step('expiry', read, () => checkExpiry(a as AssertionFacts, t))
  step('name_id', read, () => checkNameId(a as AssertionFacts))

  const valid = failures.length === 0 && signed
  let assertion: ValidatedAssertion | undefined
  if (valid)
    assertion = toValidated(a as AssertionFacts, verified as VerifiedSignature, signedElement)
  if (stopAtFirst && options.replay !== undefined && assertion !== undefined) {
    const key = `saml:${assertion.issuer}:${assertion.assertionId}`
    const fresh = await options.replay.use(key, assertion.notOnOrAfter + skew)
    step('replay', true, () =>
      fresh
        ? undefined
        : new TesseraError({
            code: 'replay',
            check: 'replay',
            message: `assertion ${assertion?.assertionId} from ${assertion?.issuer} was already accepted once`,
          }),
    )
  } else {
    checks.push({ name: 'replay', status: 'skipped' })
  }
  const primary = failures[0]
  return {
    valid,
    checks,
    ...(primary ? { primary } : {}),
    ...(assertion ? { assertion } : {}),
  }
}

function toValidated(
  a: AssertionFacts,
  verified: VerifiedSignature,
  signedElement: 'Response' | 'Assertion',
): ValidatedAssertion {
  return {
    issuer: a.issuer as string,
    assertionId: a.id as string,
    nameId: a.nameId as string,
    attributes: Object.freeze({ ...a.attributes }),
    audiences: a.audienceRestrictions.flat(),
    notOnOrAfter: lifetimeEnd(a) as number,
    signedBy: signerSummary(verified.signer),
    signedElement,
    ...(a.nameIdFormat === undefined ? {} : { nameIdFormat: a.nameIdFormat }),
    ...(a.sessionIndex === undefined ? {} : { sessionIndex: a.sessionIndex }),
    ...(a.notBefore === undefined ? {} : { notBefore: a.notBefore }),
    ...(a.authnInstant === undefined ? {} : { authnInstant: a.authnInstant }),
  }
}

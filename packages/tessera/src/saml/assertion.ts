import {
  detectHint,
  findClosest,
  quote,
  quoteList,
  redactList,
  TesseraError,
} from '@tessera/verify'
import { attribute, childElement, childElements, ns, textOf } from './dom.ts'

const bearer = 'urn:oasis:names:tc:SAML:2.0:cm:bearer'
const success = 'urn:oasis:names:tc:SAML:2.0:status:Success'
// xs:dateTime as SAML uses it (saml-core §1.3.3: UTC, "Z"); offsets are accepted too.
const dateTime = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:Z|[+-]\d{2}:\d{2})$/

/** One SubjectConfirmation of an Assertion. */
export interface SubjectConfirmation {
  readonly method?: string
  readonly recipient?: string
  readonly notOnOrAfter?: number
  readonly notBefore?: number
  readonly inResponseTo?: string
}

/** What the checks read from an Assertion: only ever from the signed element. */
export interface AssertionFacts {
  readonly id?: string
  readonly issuer?: string
  readonly nameId?: string
  readonly nameIdFormat?: string
  readonly sessionIndex?: string
  readonly attributes: Record<string, string[]>
  /** One list per AudienceRestriction; each must name the SP (saml-core §2.5.1.4). */
  readonly audienceRestrictions: readonly (readonly string[])[]
  readonly notBefore?: number
  readonly notOnOrAfter?: number
  readonly authnInstant?: number
  readonly confirmations: readonly SubjectConfirmation[]
}

/** What the checks read from the Response envelope. */
export interface ResponseFacts {
  readonly issuer?: string
  readonly destination?: string
  readonly inResponseTo?: string
  readonly statusCodes: readonly string[]
  readonly statusMessage?: string
}

/** Parses an xs:dateTime to epoch seconds, or throws `malformed` naming the field. */
export function parseDateTime(value: string, field: string): number {
  const t = dateTime.test(value) ? Date.parse(value) : Number.NaN
  if (Number.isNaN(t)) {
    throw new TesseraError({
      code: 'malformed',
      check: 'assertion',
      message: `${field} ${quote(value)} is not an xs:dateTime`,
    })
  }
  return t / 1000
}

function time(element: Element | undefined, name: string, field: string): number | undefined {
  const v = element === undefined ? undefined : attribute(element, name)
  return v === undefined ? undefined : parseDateTime(v, field)
}

/** The text of an element's saml:Issuer child. */
export function issuerOf(element: Element): string | undefined {
  const issuer = childElement(element, ns.assertion, 'Issuer')
  return issuer === undefined ? undefined : textOf(issuer).trim()
}

/** Reads the Response envelope (Issuer, Destination, InResponseTo, Status). */
export function readResponse(response: Element): ResponseFacts {
  const status = childElement(response, ns.protocol, 'Status')
  const codes: string[] = []
  let code = status && childElement(status, ns.protocol, 'StatusCode')
  while (code !== undefined) {
    codes.push(attribute(code, 'Value') ?? '')
    code = childElement(code, ns.protocol, 'StatusCode')
  }
  const message = status && childElement(status, ns.protocol, 'StatusMessage')
  const issuer = issuerOf(response)
  const destination = attribute(response, 'Destination')
  const inResponseTo = attribute(response, 'InResponseTo')
  return {
    statusCodes: codes,
    ...(issuer === undefined ? {} : { issuer }),
    ...(destination === undefined ? {} : { destination }),
    ...(inResponseTo === undefined ? {} : { inResponseTo }),
    ...(message === undefined ? {} : { statusMessage: textOf(message) }),
  }
}

/** Reads an Assertion's facts; the element must be (inside) the verified signed element. */
export function readAssertion(assertion: Element): AssertionFacts {
  const subject = childElement(assertion, ns.assertion, 'Subject')
  const nameIdElement = subject && childElement(subject, ns.assertion, 'NameID')
  const conditions = childElement(assertion, ns.assertion, 'Conditions')
  const authn = childElement(assertion, ns.assertion, 'AuthnStatement')
  const confirmations: SubjectConfirmation[] = []
  for (const sc of subject ? childElements(subject, ns.assertion, 'SubjectConfirmation') : []) {
    const data = childElement(sc, ns.assertion, 'SubjectConfirmationData')
    const method = attribute(sc, 'Method')
    const recipient = data && attribute(data, 'Recipient')
    const inResponseTo = data && attribute(data, 'InResponseTo')
    const notOnOrAfter = time(data, 'NotOnOrAfter', 'SubjectConfirmationData/@NotOnOrAfter')
    const notBefore = time(data, 'NotBefore', 'SubjectConfirmationData/@NotBefore')
    confirmations.push({
      ...(method === undefined ? {} : { method }),
      ...(recipient === undefined ? {} : { recipient }),
      ...(inResponseTo === undefined ? {} : { inResponseTo }),
      ...(notOnOrAfter === undefined ? {} : { notOnOrAfter }),
      ...(notBefore === undefined ? {} : { notBefore }),
    })
  }
  const attributes: Record<string, string[]> = Object.create(null)
  for (const statement of childElements(assertion, ns.assertion, 'AttributeStatement')) {
    for (const a of childElements(statement, ns.assertion, 'Attribute')) {
      const name = attribute(a, 'Name')
      if (name === undefined) continue
      const values = childElements(a, ns.assertion, 'AttributeValue').map(textOf)
      attributes[name] = [...(attributes[name] ?? []), ...values]
    }
  }
  const id = attribute(assertion, 'ID')
  const issuer = issuerOf(assertion)
  const nameId = nameIdElement && textOf(nameIdElement).trim()
  const nameIdFormat = nameIdElement && attribute(nameIdElement, 'Format')
  const sessionIndex = authn && attribute(authn, 'SessionIndex')
  const notBefore = time(conditions, 'NotBefore', 'Conditions/@NotBefore')
  const notOnOrAfter = time(conditions, 'NotOnOrAfter', 'Conditions/@NotOnOrAfter')
  const authnInstant = time(authn, 'AuthnInstant', 'AuthnStatement/@AuthnInstant')
  return {
    attributes,
    confirmations,
    audienceRestrictions: (conditions
      ? childElements(conditions, ns.assertion, 'AudienceRestriction')
      : []
    ).map((r) => childElements(r, ns.assertion, 'Audience').map((a) => textOf(a).trim())),
    ...(id === undefined ? {} : { id }),
    ...(issuer === undefined ? {} : { issuer }),
    ...(nameId === undefined || nameId === '' ? {} : { nameId }),
    ...(nameIdFormat === undefined ? {} : { nameIdFormat }),
    ...(sessionIndex === undefined ? {} : { sessionIndex }),
    ...(notBefore === undefined ? {} : { notBefore }),
    ...(notOnOrAfter === undefined ? {} : { notOnOrAfter }),
    ...(authnInstant === undefined ? {} : { authnInstant }),
  }
}

function mismatch(
  code:
    | 'issuer_mismatch'
    | 'destination_mismatch'
    | 'recipient_mismatch'
    | 'audience_mismatch'
    | 'in_response_to_mismatch',
  check: string,
  field: string,
  expected: string,
  actual: string | undefined,
): TesseraError {
  if (actual === undefined) {
    return new TesseraError({
      code,
      check,
      message: `${field} is missing, expected ${quote(expected)}`,
      expected: redactList([expected]),
      actual: 'missing',
    })
  }
  const hint = detectHint(expected, actual)
  return new TesseraError({
    code,
    check,
    message: `${field} ${quote(actual)} is not ${quote(expected)}${hint ? `: ${hint.words}` : ''}`,
    expected: redactList([expected]),
    actual: redactList([actual]),
    ...(hint ? { hint: hint.id } : {}),
  })
}

/** Response and Assertion Issuer must both be the IdP's entity ID (the Response's is optional). */
export function checkIssuers(
  response: ResponseFacts,
  assertionIssuer: string | undefined,
  entityIds: readonly string[],
): TesseraError | undefined {
  if (assertionIssuer === undefined || !entityIds.includes(assertionIssuer)) {
    return issuerError('Assertion Issuer', assertionIssuer, entityIds)
  }
  if (response.issuer !== undefined && response.issuer !== assertionIssuer) {
    return mismatch(
      'issuer_mismatch',
      'issuer',
      'Response Issuer',
      assertionIssuer,
      response.issuer,
    )
  }
  return undefined
}

/**
 * The Response Issuer must name a trusted IdP on its own: before an EncryptedAssertion is
 * opened it is the only Issuer there is (saml-profiles §4.1.4.2 requires it in that case).
 */
export function checkResponseIssuer(
  response: ResponseFacts,
  entityIds: readonly string[],
): TesseraError | undefined {
  if (response.issuer !== undefined && entityIds.includes(response.issuer)) return undefined
  return issuerError('Response Issuer', response.issuer, entityIds)
}

function issuerError(
  field: string,
  actual: string | undefined,
  entityIds: readonly string[],
): TesseraError {
  if (actual === undefined || entityIds.length === 0) {
    return new TesseraError({
      code: 'issuer_mismatch',
      check: 'issuer',
      message: `${field} is ${actual === undefined ? 'missing' : quote(actual)}, expected one of the trusted IdPs ${quoteList(entityIds)}`,
      expected: redactList(entityIds),
      actual: actual === undefined ? 'missing' : redactList([actual]),
    })
  }
  const near = findClosest(entityIds, [actual])
  if (near?.hint) {
    return mismatch('issuer_mismatch', 'issuer', field, near.expected, actual)
  }
  return new TesseraError({
    code: 'issuer_mismatch',
    check: 'issuer',
    message: `${field} ${quote(actual)} is not a trusted IdP; expected one of ${quoteList(entityIds)}`,
    expected: redactList(entityIds),
    actual: redactList([actual]),
  })
}

/** The Response's top-level StatusCode must be Success. */
export function checkStatus(response: ResponseFacts): TesseraError | undefined {
  const top = response.statusCodes[0]
  if (top === success) return undefined
  const shown = response.statusCodes.length === 0 ? 'missing' : response.statusCodes.join(' / ')
  return new TesseraError({
    code: 'status_not_success',
    check: 'status',
    message: `the Response's StatusCode is ${quote(shown)}, expected ${quote(success)}${response.statusMessage ? `; the IdP says ${quote(response.statusMessage)}` : ''}`,
    expected: success,
    actual: redactList(response.statusCodes.length === 0 ? ['missing'] : response.statusCodes),
  })
}

/**
 * Destination must be the ACS URL; saml-bindings §3.5.5.2 requires it on a signed Response,
 * and when present it must match either way.
 */
export function checkDestination(
  response: ResponseFacts,
  acsUrl: string,
  responseSigned: boolean,
): TesseraError | undefined {
  if (response.destination === acsUrl) return undefined
  if (response.destination === undefined && !responseSigned) return undefined
  return mismatch(
    'destination_mismatch',
    'destination',
    'Response Destination',
    acsUrl,
    response.destination,
  )
}

/** InResponseTo must name the outstanding request, when there is one. */
export function checkInResponseTo(
  response: ResponseFacts,
  requestId: string | undefined,
): TesseraError | undefined {
  if (requestId === undefined || response.inResponseTo === requestId) return undefined
  return mismatch(
    'in_response_to_mismatch',
    'in_response_to',
    'Response InResponseTo',
    requestId,
    response.inResponseTo,
  )
}

/** Time checks share this: now, the skew, and how a failure is worded. */
export interface TimeContext {
  readonly now: number
  readonly skew: number
}

function skewHint(beyond: number): { hint: 'clock_skew'; words: string } | undefined {
  if (!(beyond > 0 && beyond < 300)) return undefined
  return {
    hint: 'clock_skew',
    words: `${Math.ceil(beyond)} s beyond the allowed skew: this looks like clock skew between IdP and this service`,
  }
}

function expiredError(
  field: string,
  notOnOrAfter: number,
  t: TimeContext,
  check: string,
): TesseraError | undefined {
  if (t.now < notOnOrAfter + t.skew) return undefined
  const beyond = t.now - (notOnOrAfter + t.skew)
  const skew = skewHint(beyond)
  return new TesseraError({
    code: 'expired',
    check,
    message: `${field} ${new Date(notOnOrAfter * 1000).toISOString()} has passed (now ${new Date(t.now * 1000).toISOString()}, skew ${t.skew} s)${skew ? `: ${skew.words}` : ''}`,
    expected: `before ${new Date((notOnOrAfter + t.skew) * 1000).toISOString()}`,
    actual: new Date(t.now * 1000).toISOString(),
    ...(skew ? { hint: skew.hint } : {}),
  })
}

function notYetError(field: string, notBefore: number, t: TimeContext): TesseraError | undefined {
  if (t.now + t.skew >= notBefore) return undefined
  const skew = skewHint(notBefore - (t.now + t.skew))
  return new TesseraError({
    code: 'not_yet_valid',
    check: 'not_before',
    message: `${field} ${new Date(notBefore * 1000).toISOString()} is in the future (now ${new Date(t.now * 1000).toISOString()}, skew ${t.skew} s)${skew ? `: ${skew.words}` : ''}`,
    expected: `at or after ${new Date((notBefore - t.skew) * 1000).toISOString()}`,
    actual: new Date(t.now * 1000).toISOString(),
    ...(skew ? { hint: skew.hint } : {}),
  })
}

/**
 * saml-profiles §4.1.4.2–3: a bearer SubjectConfirmation whose data names the ACS URL as
 * Recipient, has not passed NotOnOrAfter, and names the outstanding request, if any.
 */
export function checkSubjectConfirmation(
  a: AssertionFacts,
  acsUrl: string,
  requestId: string | undefined,
  t: TimeContext,
): TesseraError | undefined {
  const bearers = a.confirmations.filter((c) => c.method === bearer)
  if (bearers.length === 0) {
    return new TesseraError({
      code: 'missing_claim',
      check: 'subject_confirmation',
      message: `the Assertion has no bearer SubjectConfirmation (methods: ${quoteList(a.confirmations.map((c) => c.method ?? 'missing'))})`,
      expected: bearer,
      actual: redactList(a.confirmations.map((c) => c.method ?? 'missing')),
    })
  }
  let first: TesseraError | undefined
  for (const c of bearers) {
    const error =
      (c.recipient === acsUrl
        ? undefined
        : mismatch(
            'recipient_mismatch',
            'subject_confirmation',
            'SubjectConfirmationData Recipient',
            acsUrl,
            c.recipient,
          )) ??
      (c.notOnOrAfter === undefined
        ? new TesseraError({
            code: 'missing_claim',
            check: 'subject_confirmation',
            message:
              'SubjectConfirmationData has no NotOnOrAfter, which a bearer assertion requires',
            expected: 'NotOnOrAfter',
            actual: 'missing',
          })
        : expiredError(
            'SubjectConfirmationData NotOnOrAfter',
            c.notOnOrAfter,
            t,
            'subject_confirmation',
          )) ??
      (c.notBefore === undefined
        ? undefined
        : notYetError('SubjectConfirmationData NotBefore', c.notBefore, t)) ??
      (requestId === undefined || c.inResponseTo === undefined || c.inResponseTo === requestId
        ? undefined
        : mismatch(
            'in_response_to_mismatch',
            'subject_confirmation',
            'SubjectConfirmationData InResponseTo',
            requestId,
            c.inResponseTo,
          ))
    if (error === undefined) return undefined
    first ??= error
  }
  return first
}

/** Every AudienceRestriction must name the SP entity ID; with requireAudience, one must exist. */
export function checkAudience(
  a: AssertionFacts,
  spEntityId: string,
  requireAudience: boolean,
): TesseraError | undefined {
  if (a.audienceRestrictions.length === 0) {
    if (!requireAudience) return undefined
    return new TesseraError({
      code: 'missing_claim',
      check: 'audience',
      message: `the Assertion has no AudienceRestriction, expected one naming ${quote(spEntityId)}`,
      expected: redactList([spEntityId]),
      actual: 'missing',
    })
  }
  for (const audiences of a.audienceRestrictions) {
    if (audiences.includes(spEntityId)) continue
    const near = findClosest([spEntityId], audiences)
    const hint = near?.hint
    return new TesseraError({
      code: 'audience_mismatch',
      check: 'audience',
      message: `Audience ${quoteList(audiences)} does not include ${quote(spEntityId)}${hint ? `: ${hint.words}` : ''}`,
      expected: redactList([spEntityId]),
      actual: redactList(audiences),
      ...(hint ? { hint: hint.id } : {}),
    })
  }
  return undefined
}

/** Conditions NotBefore. */
export function checkNotBefore(a: AssertionFacts, t: TimeContext): TesseraError | undefined {
  return a.notBefore === undefined ? undefined : notYetError('Conditions NotBefore', a.notBefore, t)
}

/** The assertion's end of life: Conditions NotOnOrAfter, else the bearer confirmation's. */
export function lifetimeEnd(a: AssertionFacts): number | undefined {
  const ends = [
    a.notOnOrAfter,
    ...a.confirmations.filter((c) => c.method === bearer).map((c) => c.notOnOrAfter),
  ].filter((v): v is number => v !== undefined)
  return ends.length === 0 ? undefined : Math.min(...ends)
}

/** Conditions NotOnOrAfter (SubjectConfirmationData's is checked with the confirmation). */
export function checkExpiry(a: AssertionFacts, t: TimeContext): TesseraError | undefined {
  if (a.notOnOrAfter !== undefined)
    return expiredError('Conditions NotOnOrAfter', a.notOnOrAfter, t, 'expiry')
  if (lifetimeEnd(a) !== undefined) return undefined
  return new TesseraError({
    code: 'missing_claim',
    check: 'expiry',
    message:
      'the Assertion has neither Conditions NotOnOrAfter nor a bearer NotOnOrAfter: it would never expire',
    expected: 'NotOnOrAfter',
    actual: 'missing',
  })
}

/** The NameID (plain, not EncryptedID) and the assertion ID must be present. */
export function checkNameId(a: AssertionFacts): TesseraError | undefined {
  if (a.nameId !== undefined && a.id !== undefined) return undefined
  return new TesseraError({
    code: 'missing_claim',
    check: 'name_id',
    message:
      a.id === undefined
        ? 'the Assertion has no ID'
        : 'the Assertion has no Subject/NameID (an EncryptedID is not supported)',
    expected: a.id === undefined ? 'ID' : 'NameID',
    actual: 'missing',
  })
}

/**
 * @module @tessera/verify/express — Express 4/5 middleware that verifies every request with
 * `verifier.verifyRequest` and puts the result on `req.tessera`.
 */
import type { NextFunction, Request, RequestHandler, Response } from 'express'
import type { RequestVerifyResult } from '../verifier/types.ts'
import { type AdapterOptions, resolveAdapterOptions } from './adapter-options.ts'
import { httpRejection } from './http-rejection.ts'
import { httpRequestInput } from './request-input.ts'
import { requestUrl } from './request-url.ts'

declare global {
  namespace Express {
    interface Request {
      /** The verified request, set by `tesseraMiddleware` (absent on skipped requests). */
      tessera?: RequestVerifyResult
    }
  }
}

/** Options of `tesseraMiddleware`. */
export interface ExpressAdapterOptions extends AdapterOptions<Request> {}

/**
 * Express middleware: verifies the request with `options.verifier.verifyRequest` and sets
 * `req.tessera`, then calls `next()`. A rejection is answered here, not passed to `next(err)`:
 * the code table's status, a `WWW-Authenticate` challenge and a JSON body
 * `{ error, error_description, code, hint? }`, so an application error handler cannot turn an
 * authentication failure into a 500 or leak its message. Written on Node's response API, so it
 * behaves the same in Express 4 and 5. The URL is `req.protocol` + the Host header + `req.originalUrl`
 * unless `publicOrigin` is set (Express 4's `req.host` drops the port).
 * @throws {TesseraError} `invalid_options` at construction when the options are invalid
 */
export function tesseraMiddleware(options: ExpressAdapterOptions): RequestHandler {
  const { verifier, publicOrigin, policy, skip, challenges } = resolveAdapterOptions<Request>(
    'tesseraMiddleware',
    options,
  )
  return async function tessera(req: Request, res: Response, next: NextFunction): Promise<void> {
    if (skip?.(req)) return next()
    const headers = req.headers
    const input = httpRequestInput(
      req.method,
      requestUrl(
        publicOrigin,
        req.protocol,
        headers.host ?? (headers[':authority'] as string | undefined),
        req.originalUrl,
      ),
      headers,
      req.socket,
      policy,
    )
    try {
      req.tessera = await verifier.verifyRequest(input)
    } catch (error) {
      const answer = await httpRejection(verifier, challenges, error, input.authorization)
      res.writeHead(answer.status, answer.headers).end(answer.body)
      return
    }
    // Outside the try: an error thrown downstream is the application's, not a rejection.
    next()
  }
}

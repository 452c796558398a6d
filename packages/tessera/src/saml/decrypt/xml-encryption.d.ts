// xml-encryption 6.0.1 ships no type declarations; these cover only what Tessera calls.
// Every callback of the library runs synchronously (it uses node:crypto's sync calls).
declare module 'xml-encryption' {
  /** Options of `decrypt`. `key` goes straight to `crypto.privateDecrypt`. */
  interface DecryptOptions {
    key: string | Buffer
    disallowDecryptionWithInsecureAlgorithm?: boolean
    warnInsecureAlgorithm?: boolean
  }
  /** Options of `encrypt` (used by tests to build encrypted assertions). */
  interface EncryptOptions {
    rsa_pub: string | Buffer
    pem: string | Buffer
    encryptionAlgorithm: string
    keyEncryptionAlgorithm: string
    keyEncryptionDigest?: string
    keyEncryptionMgf?: string
    disallowEncryptionWithInsecureAlgorithm?: boolean
    warnInsecureAlgorithm?: boolean
  }
  type Callback = (error: Error | null, result?: string) => void
  const xmlenc: {
    decrypt(xml: string | Node, options: DecryptOptions, callback: Callback): void
    encrypt(content: string, options: EncryptOptions, callback: Callback): void
  }
  export = xmlenc
}

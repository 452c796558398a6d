/**
 * Freezes `value` and every plain object and array reachable from it, so a compiled config
 * cannot be changed after load (fastify freezes its options the same way). Anything else (a
 * Map, a RegExp, a compiled CEL program) is left alone: freezing it could break it — a frozen
 * global RegExp throws on its next `test`, since `lastIndex` cannot be written.
 */
export function deepFreeze<T>(value: T): T {
  const seen = new Set<object>()
  const visit = (node: unknown): void => {
    if (typeof node !== 'object' || node === null || seen.has(node)) return
    seen.add(node)
    const proto = Object.getPrototypeOf(node)
    if (!Array.isArray(node) && proto !== Object.prototype && proto !== null) return
    for (const key of Reflect.ownKeys(node)) visit((node as Record<PropertyKey, unknown>)[key])
    Object.freeze(node)
  }
  visit(value)
  return value
}

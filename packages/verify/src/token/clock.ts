/** A source of the current time in epoch seconds; injected everywhere time matters. */
export type Clock = () => number

/** The system clock, in whole epoch seconds. */
export const systemClock: Clock = () => Math.floor(Date.now() / 1000)

// undici ships no types for its modules one by one; the pool is typed through the package's
// own declaration where it is imported (gateway/src/upstream-proxy.ts).
declare module 'undici/lib/dispatcher/pool.js' {
  const Pool: unknown;
  export default Pool;
}

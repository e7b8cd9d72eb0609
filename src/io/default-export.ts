/**
 * The default export of a package loaded with `import()`. From the CommonJS bundle, `import()`
 * becomes `require`, which hands back an ES module's namespace wrapped once more, so the value
 * sits one or two `default`s down; from ES modules it is one down. A function or class is taken
 * where it is found; a CommonJS package whose `module.exports` is the function works as well.
 *
 * @example
 * const ora = defaultExport<typeof import('ora').default>(await import('ora'));
 */
export function defaultExport<T>(mod: unknown): T {
  let m = mod;
  for (let depth = 0; depth < 3; depth++) {
    if (typeof m === 'function' || m === null || typeof m !== 'object' || !('default' in m)) break;
    m = (m as { default: unknown }).default;
  }
  return m as T;
}

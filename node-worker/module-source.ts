/**
 * A `data:` URL holding ES module source, importable under Node without touching the disk.
 * @example moduleDataUrl('export default (x) => x * 2') // 'data:text/javascript;base64,ZXhw...'
 */
export function moduleDataUrl(source: string): string {
  return `data:text/javascript;base64,${Buffer.from(source, 'utf8').toString('base64')}`;
}

/**
 * Imports ES module source text through a `data:` URL. The module may import Node's built-ins
 * (`node:crypto`) but nothing by a relative path or a package name.
 * @example const module = await importModuleSource('export default (x) => x * 2');
 */
export function importModuleSource(source: string): Promise<unknown> {
  return import(/* @vite-ignore */ moduleDataUrl(source)) as Promise<unknown>;
}

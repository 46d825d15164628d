/**
 * @bufbuild/cel, loaded the first time a `cel` rule is compiled instead of
 * when the agent starts: most PublishedResources have no `cel` rule, and
 * the library (its parser and protobuf runtime) keeps about 5 MiB resident
 * once loaded (an idle agent's RSS, measured with and without it).
 *
 * A synchronous require() keeps compiling mutations synchronous. It loads
 * the library's CommonJS build, so every runtime use of the library goes
 * through here (other files import only its types): one copy, whose
 * `isCel…` guards recognise the values it made.
 */
import type * as Cel from '@bufbuild/cel';
import { createRequire } from 'node:module';

let library: typeof Cel | undefined;

export function celLibrary(): typeof Cel {
  library ??= createRequire(import.meta.url)('@bufbuild/cel') as typeof Cel;
  return library;
}

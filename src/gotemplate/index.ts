/** The Go-template engine (see engine.ts for the design decision). Re-exports only. */
export {
  compileTemplate,
  createGoTemplates,
  functionMap,
  goTemplates,
  isTemplateError,
  type CompileOptions,
  type CompiledTemplate,
  type FunctionSet,
} from './engine.ts';
export { TemplateError, type SourcePosition, type TemplateErrorKind } from './errors.ts';
export { NOT_ALLOWED_FUNCTIONS, NOT_SUPPORTED_FUNCTIONS } from './sprig.ts';
export { GoInt, fromKubernetesJSON, goInt, withGoType } from './values.ts';

/** `specter ext …`: the extension author's tools. */
export { registerExtCommands } from './register.js';
export {
  runExtGen,
  generateExtension,
  resolveAnswers,
  specterTsHome,
  devLockfile,
  linkSpecterTs,
  SPECTER_TS_LINK,
  targetDir,
  type ExtGenOptions,
  type GenAnswers,
  type GenerateResult,
} from './gen.js';
export { runExtValidate, validateExtensionPackage, definesIndexRoute, type ValidationIssue, type ValidationReport } from './validate.js';
export { runExtList, listExtensions, formatStatusTable, type ExtListOptions } from './list.js';

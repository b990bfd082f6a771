/** Plugin distribution: the plugins folder, its installer, file integrity and signatures. */
export { checkSpec, isLocalSpec, registryName } from './specs.js';
export {
  PluginInstaller,
  type InstallAction,
  type InstallResult,
  type PluginInstallerOptions,
  type UninstallResult,
} from './plugin-installer.js';
export {
  NPM_NAME_PATTERN,
  PLUGINS_FILE,
  PLUGINS_FOLDER,
  pluginPackageDir,
  pluginRecordSchema,
  pluginsFileSchema,
  pluginsFolder,
  readPluginsFile,
  type PluginRecord,
  type PluginsFile,
} from './plugins-file.js';
export { SIGNATURE_FILE, describeDiff, diffHashes, hashPackageFiles, type FileHashes, type HashDiff } from './file-hashes.js';
export {
  SIGNATURE_FORMAT,
  generateSigningKey,
  keyFingerprint,
  parsePublicKey,
  signPackage,
  signatureFileSchema,
  verifyPackageSignature,
  type SignatureCheck,
  type SignatureFile,
} from './signature.js';
export { checkPackageTrust } from './trust.js';
export { NPM_FLAGS, npmFailure, runNpm, type NpmOptions, type NpmResult } from './npm.js';

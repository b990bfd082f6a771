import type { ExtRequest } from './blueprint.js';
import type { ExtensionCallbacks } from './callback-catalogue.js';
import type { ExtensionContext, FilesApi, JsonObject, UserInfo } from './context/types.js';
import type { ExtensionManifest, ExtensionManifestInput } from './manifest.js';

/**
 * Brand shared by every copy of this module (`Symbol.for`), so an extension that bundles its own
 * copy of specter-ts is still recognised. `instanceof` would fail across copies.
 */
export const EXTENSION_BRAND: unique symbol = Symbol.for('specter-ts.Extension') as never;

/** What the base-page injection hooks receive: the template context of the page being rendered. */
export interface InjectionView {
  /** The page's request, as a plugin route sees it. */
  request?: ExtRequest;
  /** The logged-in user. */
  user?: UserInfo | undefined;
}

/**
 * The base class of every extension (the seed's `Service`, renamed as the seed planned).
 *
 * Declare the manifest as one static object, `static override manifest = { id: 'swan', … }`
 * (TypeScript forbids `static name`, and one object is what the class and the package.json styles
 * share), or put it in package.json under `"specterExtension"`. Both go through one schema.
 *
 * Seed (Python class attribute) → Specter TS manifest field:
 *
 * | seed                         | Specter TS            | default / note                                   |
 * |------------------------------|-----------------------|--------------------------------------------------|
 * | `id`                         | `id`                  | required; `[a-z0-9_]+`                           |
 * | `name`                       | `name`                | required                                         |
 * | `icon`                       | `icon`                | path in the static folder                        |
 * | `logo`                       | `logo`                |                                                  |
 * | `desc`                       | `desc`                | `""`                                             |
 * | `has_blueprint`              | `hasBlueprint`        | `true`                                           |
 * | `blueprint_module`           | `blueprintModule`     | module path; default `controller.js` next to main|
 * | `blueprint_modules`          | `blueprintModules`    | `{default, …}`; `default` required, no `""` key  |
 * | `isolated_client`            | `isolatedClient`      | `false`                                          |
 * | `devstatus` (`devstatus_*`)  | `devstatus`           | `"alpha"` (`alpha`/`beta`/`prod`)                |
 * | `optionality`                | `optionality`         | `"opt_in"` (`opt_in`/`opt_out`/`mandatory`)      |
 * | `visible_in_sidebar`         | `visibleInSidebar`    | `true`                                           |
 * | `encrypt_data`               | `encryptData`         | `false`                                          |
 * | `sort_priority`              | `sortPriority`        | `0`                                              |
 * | `depends` (classes)          | `depends`             | ids, or `{id: semverRange}`                      |
 * | `devices` (modules)          | `devices`             | module paths (or classes on the class manifest)  |
 * | (node classes)               | `nodes`               | as `devices`                                     |
 * | `callbacks` (modules)        | `callbacks`           | `[{id, style, description}]`, registered at load |
 * | `<org>.specterext.<id>.config` | `configModule`      | default `config.js` next to main                 |
 * | (setup.py version)           | `version`             | package.json `version`                           |
 * | —                            | `engines`             | semver range of Specter TS, e.g. `">=0.1.0"`     |
 * | —                            | `main` (package.json) | module exporting the class; optional             |
 * | Blueprint `template_folder`  | `templates`           | `"templates"`                                    |
 * | Blueprint `static_folder`    | `static`              | `"static"`                                       |
 * | `data_folder`                | `ctx.files.folder`    | `<data>/extensions/<id>/`; write via `ctx.files` |
 * | —                            | `capabilities`        | what the plugin may use; see capabilities.ts     |
 * | —                            | `dataVersion`         | `1`; raising it runs the plugin's migration      |
 * | `callback_<id>(…)`           | `callback_<id>(…)`    | same names; see {@link ExtensionCallbacks}       |
 * | `inject_in_basejinja_head()` | `injectInBasejinjaHead(view)` | also `…BodyTop`, `…BodyBottom`          |
 * | `on_user_login()`            | `onUserLogin(user)`   | `user`: {id, name, isAdmin}                      |
 * | `get_blueprint_name()`       | `` `${id}_endpoint` `` | see blueprint.ts                                |
 *
 * Module paths (`main`, `blueprintModule(s)`, `configModule`, `devices`, `nodes`) are relative to
 * the package folder, like `main` in package.json.
 */
// biome-ignore lint/suspicious/noUnsafeDeclarationMerging: the interface below only adds optional callback_* signatures
export class Extension<Data extends object = JsonObject> {
  static readonly [EXTENSION_BRAND] = true;
  /** The class-style manifest. Subclasses: `static override manifest = {...}`. */
  static manifest?: ExtensionManifestInput;

  /**
   * Everything the extension may use, scoped to it and checked against its capabilities:
   * `storage`, `files`, `wallets`, `addresses`, `annotations`, `users`, `activation`, `scheduler`,
   * `callbacks`, `http`, `urlFor`, `asUser`, `log`, `config` (see docs/extensions/context.md).
   */
  readonly ctx: ExtensionContext<Data>;

  constructor(ctx: ExtensionContext<Data>) {
    this.ctx = ctx;
  }

  get id(): string {
    return this.ctx.id;
  }

  get manifest(): ExtensionManifest {
    return this.ctx.manifest;
  }

  /** Blueprint name of the default blueprint (the seed's `get_blueprint_name()`). */
  get blueprintName(): string {
    return `${this.id}_endpoint`;
  }

  /** HTML for the end of `<head>` on every page of a user who activated the extension. */
  injectInBasejinjaHead?(view: InjectionView): string | undefined | Promise<string | undefined>;
  /** HTML for the start of `<body>`. */
  injectInBasejinjaBodyTop?(view: InjectionView): string | undefined | Promise<string | undefined>;
  /** HTML for the end of `<body>`. */
  injectInBasejinjaBodyBottom?(view: InjectionView): string | undefined | Promise<string | undefined>;
  /** After an interactive login, for each extension active for that user. */
  onUserLogin?(user: UserInfo): unknown;
  /**
   * Turns one user's data from format version `from` into `to` (the manifest's `dataVersion`).
   * Runs at load after an upgrade, for every user with data, before anything is written; a throw
   * leaves all data as it was and the plugin `failed` with the reason.
   */
  migrateData?(migration: { from: number; to: number; userId: string; data: Partial<Data> }): Partial<Data> | Promise<Partial<Data>>;
  /** Migrates the files of `ctx.files` (restored from the backup when it throws). */
  migrateFiles?(migration: { from: number; to: number; files: FilesApi }): unknown;
  /**
   * When the extension stops (disabled, uninstalled, updated, or the app shuts down), after its
   * jobs stopped and before its `ctx.onDispose` functions run; release resources here.
   */
  onStop?(): unknown;
}

// Declaration merging: every instance type-checks `ext.callback_<id>` and authors get the
// signatures when they implement them. (A merged declaration repeats the class's type parameter.)
// biome-ignore lint/correctness/noUnusedVariables: must match the class's type parameters
export interface Extension<Data extends object = JsonObject> extends ExtensionCallbacks {}

/** A concrete Extension class as the loader sees it. */
// biome-ignore lint/suspicious/noExplicitAny: any Data shape; the loader builds the context from the manifest
export type ExtensionClass = (new (ctx: ExtensionContext<any>) => Extension<any>) & { manifest?: ExtensionManifestInput; readonly name: string };

/** True for a subclass of (any copy of) Extension, false for Extension itself. */
export function isExtensionClass(value: unknown): value is ExtensionClass {
  return (
    typeof value === 'function' && (value as unknown as Record<symbol, unknown>)[EXTENSION_BRAND] === true && !Object.hasOwn(value, EXTENSION_BRAND)
  );
}

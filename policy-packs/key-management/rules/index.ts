/**
 * Every rule of the pack: each `rules/<name>.ts` exports `rule`. Discovered from the directory, so adding a rule is
 * adding a file; the registry test checks names, descriptions, docs and tests for each.
 */
import * as fs from "fs";
import * as path from "path";
import type { KeyfabricRule } from "../lib/rule";

const files = fs
    .readdirSync(__dirname)
    .filter((f) => /^(aws|gcp|azure|keyfabric)-.+\.(ts|js)$/.test(f) && !f.endsWith(".d.ts"))
    .map((f) => f.replace(/\.(ts|js)$/, ""))
    .filter((f, i, all) => all.indexOf(f) === i)
    .sort();

// eslint-disable-next-line @typescript-eslint/no-var-requires
export const rules: KeyfabricRule[] = files.map((f) => require(path.join(__dirname, f)).rule as KeyfabricRule);

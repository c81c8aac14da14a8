// Rewrites the rule table and the preset tables in README.md, and the presets' JSON files, from the pack's rules and
// lib/presets.ts: npm run docs:policies
import * as fs from "fs";
import * as path from "path";
import { presetJson, withPolicyTable, withPresetTables } from "../policy-packs/key-management/lib/docs";
import { PRESETS } from "../policy-packs/key-management/lib/presets";
import { rules } from "../policy-packs/key-management/rules";

const readme = path.join(__dirname, "..", "README.md");
fs.writeFileSync(readme, withPresetTables(withPolicyTable(fs.readFileSync(readme, "utf8"), rules), PRESETS, rules));
const presets = path.join(__dirname, "..", "policy-packs", "key-management", "presets");
for (const p of PRESETS) fs.writeFileSync(path.join(presets, `${p.name}.json`), presetJson(p));
console.log(`README.md: ${rules.length} rules, ${PRESETS.length} presets documented; presets/*.json written`);

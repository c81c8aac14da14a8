// Rewrites the rule table in README.md from the pack's rules: npm run docs:policies
import * as fs from "fs";
import * as path from "path";
import { withPolicyTable } from "../policy-packs/key-management/lib/docs";
import { rules } from "../policy-packs/key-management/rules";

const readme = path.join(__dirname, "..", "README.md");
fs.writeFileSync(readme, withPolicyTable(fs.readFileSync(readme, "utf8"), rules));
console.log(`README.md: ${rules.length} rules documented`);

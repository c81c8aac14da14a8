/**
 * The plugin's entry point (package.json `main`): the Node.js language host runs this directory when the engine
 * starts the keyfabric plugin, and the provider prints its port on stdout as every plugin does. It exports nothing:
 * the SDK's plugin runner would otherwise look for component classes among its exports.
 */
import { main } from "@pulumi/pulumi/provider";
import { KeyfabricProvider } from "./provider";

void main(new KeyfabricProvider(__dirname), process.argv.slice(2));

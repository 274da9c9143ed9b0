#!/usr/bin/env node
import { processIo } from './cli-io.js';
import { runCli } from './run-cli.js';

// The package bin `wcap-gateway` (package.json "bin"). Exits explicitly: a subcommand answers once
// its work is done, and a client socket left in a keep-alive pool must not hold the process open.
const code = await runCli(process.argv.slice(2), processIo());
process.exit(code);

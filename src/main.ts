import { processIo } from './cli/cli-io.js';
import { runCli } from './cli/run-cli.js';

// The image's `node dist/main.js` and `npm start`: the CLI's `serve` (src/cli/serve.ts), with any
// arguments passed on (e.g. --help).
const code = await runCli(['serve', ...process.argv.slice(2)], processIo());
process.exit(code);

#!/usr/bin/env node
'use strict';
// Thin launcher: the CLI is compiled to dist/ by `npm run build`.
const path = require('node:path');
const fs = require('node:fs');
const entry = path.join(__dirname, '..', 'dist', 'cli', 'main.js');
if (!fs.existsSync(entry)) {
  console.error('refinery: the CLI is not built yet. Run `npm run build` in ' + path.dirname(__dirname));
  process.exit(2);
}
require(entry)
  .runCli(process.argv.slice(2))
  .then(
    (code) => process.exit(code),
    (err) => {
      console.error(err);
      process.exit(1);
    },
  );

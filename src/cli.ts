#!/usr/bin/env node
import { runCli } from './cli/run.js'

/** The `b24crm` command (package.json "bin"); everything it does is in cli/run.ts. */
process.exitCode = await runCli(process.argv.slice(2), process.env, {
  stdout: (text) => void process.stdout.write(text),
  stderr: (text) => void process.stderr.write(text),
})

/** A progress bar on stderr (a line per 10 % when stderr is not a terminal, so logs stay short). */
export interface Progress {
  update(done: number): void
  finish(): void
}

export function progress(label: string, total: number): Progress {
  const started = performance.now()
  const tty = process.stderr.isTTY
  let lastDecile = -1
  const render = (done: number): string => {
    const share = total === 0 ? 1 : done / total
    const width = 30
    const filled = Math.round(share * width)
    const seconds = ((performance.now() - started) / 1000).toFixed(1)
    return `  ${label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${Math.floor(share * 100)}% ${done.toLocaleString('en-US')}/${total.toLocaleString('en-US')} ${seconds} s`
  }
  return {
    update(done) {
      if (tty) {
        process.stderr.write(`\r${render(done)}`)
        return
      }
      const decile = Math.floor((done / Math.max(total, 1)) * 10)
      if (decile !== lastDecile) {
        lastDecile = decile
        process.stderr.write(`${render(done)}\n`)
      }
    },
    finish() {
      if (tty) process.stderr.write(`\r${render(total)}\n`)
      else if (lastDecile !== 10) process.stderr.write(`${render(total)}\n`)
    },
  }
}

/** Logs a step of the run on stderr (stdout carries only the result table). */
export function step(message: string): void {
  process.stderr.write(`${message}\n`)
}

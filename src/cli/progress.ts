/** A one-line progress bar on a terminal; nothing when stdout is not a TTY (logs get epoch lines). */
export class Progress {
  private readonly tty = !!process.stdout.isTTY;
  private start = performance.now();
  private last = 0;

  begin(): void {
    this.start = performance.now();
  }

  update(label: string, done: number, total: number, loss: number): void {
    if (!this.tty) return;
    const now = performance.now();
    if (now - this.last < 100 && done < total) return;
    this.last = now;
    const width = 30, filled = Math.round((width * done) / Math.max(1, total));
    const rate = done / Math.max(1e-9, (now - this.start) / 1000);
    process.stdout.write(`\r${label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${((100 * done) / total).toFixed(0).padStart(3)}% loss ${loss.toFixed(4)} ${Math.round(rate).toLocaleString('en-US')} samples/s`);
  }

  /** Clears the bar before a normal line is printed. */
  clear(): void {
    if (this.tty) process.stdout.write('\r\x1b[K');
  }
}

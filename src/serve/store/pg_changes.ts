/**
 * How a replica follows the others' writes: one dedicated connection LISTENs on the schema's
 * channel, where every write, once committed, NOTIFYs the user it changed and the replica that
 * made it (so a notification means the write is readable). Another replica's notification
 * invalidates that user's cached state; the next request reads them afresh from the store.
 *
 * Notifications are delivered once per connection while it is up, so what can be missed is
 * what happens while it is down. When the connection is lost, everything cached is dropped at
 * once (not to serve answers another replica's writes have changed) and the feed reports
 * itself behind (so /readyz answers 503) until it is listening again; on reconnecting it
 * LISTENs first and reads the high-water mark second, so nothing committed after the mark can
 * be missed and everything before it is read from the store on demand.
 *
 * A write's NOTIFY follows its commit (see pg_store.ts), so a writer dying between the two
 * loses it. The backstop is a poll (every `pollMs`, which also finds a connection that died
 * silently): the users with events past the mark of two polls ago, each with their latest seq;
 * the sink drops a user's cached state only where it lacks that seq, so what notifications
 * already brought costs nothing. Two polls back, not one: a sequence hands out numbers when
 * writes start, so a lower seq can commit after the last poll read past it.
 */
import pg from 'pg';
import type { ChangeFeed, ChangeSink } from './event_store';

export interface PgChangeFeedOptions {
  config: pg.ClientConfig;
  channel: string;
  /** This replica's id: its own notifications are skipped (it invalidated the user itself). */
  replica: string;
  sink: ChangeSink;
  /** High-water poll interval (default 1000 ms). */
  pollMs?: number;
  /** Reconnect delays grow from 50 ms to this (default 1000 ms). */
  maxRetryMs?: number;
}

/** A notification's payload: replica, user, the largest seq the write stored (absent for profiles), when sent. */
export interface ChangeNote {
  r: string;
  u: string;
  s?: number | null;
  t?: number;
}

export class PgChangeFeed implements ChangeFeed {
  private client: pg.Client | null = null;
  private why: string | null = 'listener connecting';
  private closed = false;
  /** The high-water marks the last two polls read (the next poll looks past the older one). */
  private marks: [number, number] = [0, 0];
  private retryMs = 50;
  private retry: NodeJS.Timeout | null = null;
  private readonly poll: NodeJS.Timeout;
  private polling = false;
  /** Other replicas' notifications, and full resets (connections lost and made), since start. */
  notifications = 0;
  resets = 0;

  constructor(private readonly opts: PgChangeFeedOptions) {
    this.poll = setInterval(() => void this.checkRecent(), opts.pollMs ?? 1000);
    this.poll.unref();
    void this.connect();
  }

  behind(): string | null {
    return this.why;
  }

  /** Resolves once the feed is in step (tests, start-up); rejects after `timeoutMs`. */
  async ready(timeoutMs = 10_000): Promise<void> {
    const t0 = Date.now();
    while (this.why !== null) {
      if (this.closed) throw new Error('change feed closed');
      if (Date.now() - t0 > timeoutMs) throw new Error(`change feed not in step after ${timeoutMs} ms: ${this.why}`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  private async connect(): Promise<void> {
    this.retry = null;
    if (this.closed) return;
    const client = new pg.Client({ ...this.opts.config, application_name: `${this.opts.channel} changes`.slice(0, 63), query_timeout: 3 * (this.opts.pollMs ?? 1000) });
    this.client = client;
    client.on('error', (e) => this.lost(client, e));
    client.on('end', () => this.lost(client, new Error('connection ended')));
    client.on('notification', (n) => this.onNote(n.payload));
    try {
      await client.connect();
      await client.query(`LISTEN "${this.opts.channel}"`);
      const r = await client.query('SELECT COALESCE(MAX(seq), 0) AS seq FROM events');
      if (this.client !== client) return;
      this.marks = [r.rows[0].seq, r.rows[0].seq];
      // Whatever was cached before this point may predate writes this feed did not hear of.
      this.resets++;
      this.opts.sink.reset();
      this.why = null;
      this.retryMs = 50;
    } catch (e) {
      this.lost(client, e as Error);
    }
  }

  private onNote(payload: string | undefined): void {
    let note: ChangeNote;
    try {
      note = JSON.parse(payload ?? '');
    } catch {
      return;
    }
    if (note.r !== this.opts.replica && typeof note.u === 'string') {
      this.notifications++;
      this.opts.sink.user(note.u, { sentAt: typeof note.t === 'number' ? note.t : undefined, seq: typeof note.s === 'number' ? note.s : undefined });
    }
  }

  private lost(client: pg.Client, e: Error): void {
    if (this.client !== client || this.closed) return;
    this.client = null;
    this.why = `listener reconnecting to the event store (${e.message})`;
    this.resets++;
    this.opts.sink.reset();
    client.removeAllListeners('end');
    void client.end().catch(() => {});
    this.retry = setTimeout(() => void this.connect(), this.retryMs);
    this.retryMs = Math.min(2 * this.retryMs, this.opts.maxRetryMs ?? 1000);
  }

  private async checkRecent(): Promise<void> {
    const client = this.client;
    if (!client || this.why !== null || this.polling) return;
    this.polling = true;
    try {
      const r = await client.query<{ user: string; seq: number }>('SELECT "user", MAX(seq) AS seq FROM events WHERE seq > $1 GROUP BY "user"', [this.marks[0]]);
      let mark = this.marks[1];
      for (const row of r.rows) {
        if (row.seq > mark) mark = row.seq;
        this.opts.sink.user(row.user, { seq: row.seq });
      }
      this.marks = [this.marks[1], mark];
    } catch (e) {
      this.lost(client, e as Error);
    } finally {
      this.polling = false;
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    this.why = 'closed';
    clearInterval(this.poll);
    if (this.retry) clearTimeout(this.retry);
    const client = this.client;
    this.client = null;
    if (client) {
      client.removeAllListeners('end');
      await client.end().catch(() => {});
    }
  }
}

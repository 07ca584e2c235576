/** `neurec serve --checkpoint <dir> [--port 8080]`: real-time recommendations over HTTP. */
import { openCheckpoint } from './checkpointed';
import { num, parseArgs, usage, type ArgSpec } from './args';
import { RecommenderService } from '../serve/recommender_service';
import { createServer } from '../serve/http';

const SPEC: ArgSpec = {
  checkpoint: { help: 'checkpoint folder written by neurec train' },
  port: { help: 'TCP port (0 picks a free one)', default: '8080' },
  host: { help: 'address to listen on', default: '127.0.0.1' },
  'data-dir': { help: 'folder holding the data sets (else NEUREC_DATA_DIR)' },
  help: { help: 'this text', flag: true },
};

export function serveCommand(argv: string[]): void {
  const a = parseArgs(argv, SPEC, 'serve');
  if (a.help) return void console.log(usage('serve', SPEC));
  if (!a.checkpoint) throw new Error('serve: --checkpoint <dir> is required');
  const { model, data, train } = openCheckpoint(String(a.checkpoint), a['data-dir'] as string | undefined, (s) => console.log(s));
  const service = new RecommenderService(model, data, train);
  const server = createServer(service);
  server.listen(num(a, 'port', 'serve'), String(a.host), () => {
    const addr = server.address();
    const port = typeof addr === 'object' && addr ? addr.port : a.port;
    console.log(`serving ${model.name} on ${data.name} at http://${a.host}:${port}/recommend?user=<id>&k=10`);
  });
}

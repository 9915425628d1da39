/**
 * The service's V8 heap as seen through its inspector (the service runs with --inspect on a
 * local port): a full GC, then the heap in use. Unlike RSS, which V8 and the allocator grow
 * lazily and seldom give back, the heap left after a full GC grows only with retained objects.
 */
export class HeapProbe {
  private ws: WebSocket | null = null;
  private next = 1;
  private readonly pending = new Map<number, (v: any) => void>();
  private readonly port: number;

  constructor(port: number) {
    this.port = port;
  }

  private async connect(): Promise<WebSocket> {
    if (this.ws) return this.ws;
    const targets = (await (await fetch(`http://127.0.0.1:${this.port}/json/list`)).json()) as Array<{ webSocketDebuggerUrl: string }>;
    const ws = new WebSocket(targets[0]!.webSocketDebuggerUrl);
    await new Promise((resolve, reject) => {
      ws.addEventListener('open', resolve, { once: true });
      ws.addEventListener('error', reject, { once: true });
    });
    ws.addEventListener('message', (e) => {
      const msg = JSON.parse(String(e.data)) as { id?: number; result?: unknown };
      if (msg.id !== undefined) this.pending.get(msg.id)?.(msg.result);
    });
    this.ws = ws;
    return ws;
  }

  private async send(method: string): Promise<any> {
    const ws = await this.connect();
    const id = this.next++;
    return new Promise((resolve) => {
      this.pending.set(id, (v) => {
        this.pending.delete(id);
        resolve(v);
      });
      ws.send(JSON.stringify({ id, method }));
    });
  }

  /** MB of heap in use after a full garbage collection. */
  async heapAfterGcMb(): Promise<number> {
    await this.send('HeapProfiler.collectGarbage');
    const usage = (await this.send('Runtime.getHeapUsage')) as { usedSize: number };
    return Math.round((usage.usedSize / 1024 / 1024) * 10) / 10;
  }

  close(): void {
    this.ws?.close();
  }
}

// The Items a write iterates twice: an array as is; any other input spooled once to a
// temporary NDJSON file in Node (memory in browsers), each Item checked on the way.
import { asItem, hasNodeBuiltins, nodeBuiltin, WriteError, type StacItem } from '@pyramids/core';

/** A replayable source of Items: pass one and pass two each iterate it once. */
export interface ItemSpool {
  items(): AsyncIterable<StacItem> | Iterable<StacItem>;
  dispose(): Promise<void>;
}

/** Iterates the input once, checking each Item and feeding `visit`; returns a way to iterate it again. */
export async function spoolItems(
  input: AsyncIterable<unknown> | Iterable<unknown>,
  visit: (item: StacItem) => void,
  signal: AbortSignal | undefined,
): Promise<ItemSpool> {
  if (Array.isArray(input)) {
    const items = input.map((value, index) => checkedItem(value, index));
    for (const item of items) visit(item);
    return { items: () => items, dispose: async () => {} };
  }
  const spool = await openFileSpool();
  try {
    let index = 0;
    for await (const value of input as AsyncIterable<unknown>) {
      signal?.throwIfAborted();
      const item = checkedItem(value, index++);
      visit(item);
      await spool.append(item);
    }
    await spool.close();
    return spool;
  } catch (error) {
    await spool.dispose();
    throw error;
  }
}

function checkedItem(value: unknown, index: number): StacItem {
  try {
    return asItem(value);
  } catch (error) {
    throw new WriteError(`input item #${index} is not a STAC Item: ${(error as Error).message}`, {
      cause: error,
    });
  }
}

interface FileSpool extends ItemSpool {
  append(item: StacItem): Promise<void>;
  close(): Promise<void>;
}

/** A temporary NDJSON file in Node; memory elsewhere (browsers have no temporary files). */
async function openFileSpool(): Promise<FileSpool> {
  if (!hasNodeBuiltins()) {
    const items: StacItem[] = [];
    return {
      append: async (item) => void items.push(item),
      close: async () => {},
      items: () => items,
      dispose: async () => {},
    };
  }
  const purpose = 'spooling Items to a temporary file';
  const [fs, os, path, readline, nodeFs] = [
    nodeBuiltin('node:fs/promises', purpose),
    nodeBuiltin('node:os', purpose),
    nodeBuiltin('node:path', purpose),
    nodeBuiltin('node:readline', purpose),
    nodeBuiltin('node:fs', purpose),
  ];
  const directory = await fs.mkdtemp(path.join(os.tmpdir(), 'pyramids-parquet-'));
  const file = path.join(directory, 'items.ndjson');
  const handle = await fs.open(file, 'w');
  let pending: string[] = [];
  let pendingLength = 0;
  const flush = async () => {
    if (pending.length === 0) return;
    await handle.write(pending.join(''));
    pending = [];
    pendingLength = 0;
  };
  return {
    async append(item) {
      const line = `${JSON.stringify(item)}\n`;
      pending.push(line);
      pendingLength += line.length;
      if (pendingLength > 1 << 20) await flush();
    },
    async close() {
      await flush();
      await handle.close();
    },
    async *items() {
      const lines = readline.createInterface({
        input: nodeFs.createReadStream(file, 'utf8'),
        crlfDelay: Infinity,
      });
      for await (const line of lines) if (line) yield JSON.parse(line) as StacItem;
    },
    async dispose() {
      await handle.close().catch(() => {});
      await fs.rm(directory, { recursive: true, force: true });
    },
  };
}

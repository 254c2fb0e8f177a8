/**
 * A fetch Response whose body has already been read whole into memory (nodeFetch's answers). A Response made from
 * bytes wraps them in a web stream at once (a transferable ReadableStream, its controller and promises), and reading
 * it goes through that stream again: per call that cost more CPU than parsing the JSON. Here text(), json(),
 * arrayBuffer() and bytes() read the bytes directly, once, as fetch allows. There is no stream: `body` is null, so
 * an SDK that would stream the answer (server-sent events) fails at once instead of reading a buffered copy; callers
 * that stream use the built-in fetch. blob() and formData() go through a Response made from the bytes.
 */

// Node's type definitions declare Response's methods as properties, which a subclass may not override as methods: the
// class extends the runtime Response under a plain constructor type, and bufferedResponse() hands it out as a Response.
const ResponseBase = Response as unknown as new (body: null, init: ResponseInit) => object;

/** A Response over `bytes` (null: no body) that reads them without a web stream. */
export function bufferedResponse(bytes: Buffer | null, init: ResponseInit): Response {
  return new BufferedResponse(bytes, init) as unknown as Response;
}

class BufferedResponse extends ResponseBase {
  readonly #bytes: Buffer | null;
  readonly #init: ResponseInit;
  #used = false;

  constructor(bytes: Buffer | null, init: ResponseInit) {
    super(null, init);
    this.#bytes = bytes;
    this.#init = init;
  }

  get bodyUsed(): boolean {
    return this.#used;
  }

  text(): Promise<string> {
    return this.#read((bytes) => {
      // As fetch decodes UTF-8: a leading byte order mark is dropped.
      const text = bytes.toString('utf8');
      return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
    });
  }

  json(): Promise<unknown> {
    return this.text().then((text) => JSON.parse(text) as unknown);
  }

  arrayBuffer(): Promise<ArrayBuffer> {
    return this.#read((bytes) => copyOf(bytes).buffer);
  }

  bytes(): Promise<Uint8Array> {
    return this.#read(copyOf);
  }

  blob(): Promise<Blob> {
    return this.#read((bytes) => new Response(bytes, this.#init).blob());
  }

  formData(): Promise<FormData> {
    return this.#read((bytes) => new Response(bytes, this.#init).formData());
  }

  clone(): Response {
    if (this.#used) throw new TypeError('Response.clone: Body has already been consumed.');
    return bufferedResponse(this.#bytes, this.#init);
  }

  /** One read of the body (empty when there is none); a second read fails as fetch's does. */
  #read<T>(as: (bytes: Buffer) => T | Promise<T>): Promise<T> {
    if (this.#used) return Promise.reject(new TypeError('Body is unusable: Body has already been read'));
    this.#used = true;
    // What `as` throws (JSON.parse on a bad body) rejects the promise.
    return new Promise<T>((resolve) => resolve(as(this.#bytes ?? Buffer.alloc(0))));
  }
}

/** The bytes in an ArrayBuffer of their own (a Buffer may be a view into a shared pool), as fetch hands them out. */
function copyOf(bytes: Buffer): Uint8Array<ArrayBuffer> {
  const copy = new Uint8Array(bytes.byteLength);
  copy.set(bytes);
  return copy;
}

import pino from 'pino';

type SonicBoom = ReturnType<typeof pino.destination>;

/**
 * pino's asynchronous destination (sonic-boom) fed each log line as bytes. Fed strings, sonic-boom
 * appends every line to the pending text and measures all of it again on each write, which at
 * thousands of lines a second cost more than the writing; fed bytes, it only adds up lengths.
 */
export class LineDestination {
  readonly #sonic: SonicBoom;

  /** `dest`: a file descriptor (1, 2) or a file path, created with its folder if missing. */
  constructor(dest: number | string) {
    this.#sonic = pino.destination({ dest, sync: false, mkdir: true, contentMode: 'buffer' });
  }

  write(line: string): boolean {
    // In buffer mode sonic-boom takes a Buffer, although its types say string.
    return this.#sonic.write(Buffer.from(line) as unknown as string);
  }

  flushSync(): void {
    this.#sonic.flushSync();
  }

  /** Writes out what is pending and closes the file. */
  end(): Promise<void> {
    return new Promise((resolve) => {
      this.#sonic.once('close', resolve);
      this.#sonic.end();
    });
  }
}

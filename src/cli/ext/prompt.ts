import { createInterface } from 'node:readline/promises';

/**
 * Line prompts on node:readline/promises. Lines are read through the interface's async iterator,
 * which buffers: piped input (tests, `printf 'a\nb\n' | specter ext gen`) works as well as a
 * terminal, where `question()` would drop lines that arrive before it is called.
 */
export class Prompter {
  readonly #rl: ReturnType<typeof createInterface>;
  readonly #lines: AsyncIterator<string>;
  readonly #output: NodeJS.WritableStream;
  /** Piped input is not echoed by a terminal: echo it, so the transcript reads like a session. */
  readonly #echo: boolean;

  constructor(input: NodeJS.ReadableStream, output: NodeJS.WritableStream) {
    const terminal = Boolean((input as { isTTY?: boolean }).isTTY && (output as { isTTY?: boolean }).isTTY);
    this.#rl = createInterface({ input, output, terminal });
    this.#lines = this.#rl[Symbol.asyncIterator]();
    this.#output = output;
    this.#echo = !(input as { isTTY?: boolean }).isTTY;
  }

  /** One line, trimmed. Throws when the input ends (so a script without answers fails clearly). */
  async ask(question: string): Promise<string> {
    this.#output.write(question.endsWith(' ') ? question : `${question} `);
    const next = await this.#lines.next();
    if (next.done) {
      if (this.#echo) this.#output.write('\n');
      throw new PromptClosedError(question);
    }
    if (this.#echo) this.#output.write(`${next.value}\n`);
    return next.value.trim();
  }

  /** Asks until `check` returns undefined; prints its message before each re-ask. */
  async askValid(question: string, check: (answer: string) => string | undefined, fallback?: string): Promise<string> {
    for (;;) {
      const raw = await this.ask(question);
      const answer = raw === '' && fallback !== undefined ? fallback : raw;
      const problem = check(answer);
      if (problem === undefined) return answer;
      this.#output.write(`  ${problem}\n`);
    }
  }

  /** y/n with a default for [enter]. */
  async confirm(question: string, fallback: boolean): Promise<boolean> {
    const answer = await this.askValid(`${question} (${fallback ? 'Y/n' : 'y/N'})`, (a) =>
      /^(y|yes|n|no|)$/i.test(a) ? undefined : 'answer y or n.',
    );
    return answer === '' ? fallback : /^y/i.test(answer);
  }

  close(): void {
    this.#rl.close();
  }
}

export class PromptClosedError extends Error {
  constructor(question: string) {
    super(`the input ended before an answer to "${question.trim()}"; pass the answers as flags (see --help) and --yes.`);
    this.name = 'PromptClosedError';
  }
}

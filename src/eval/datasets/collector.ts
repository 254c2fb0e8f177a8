import { DATASET_LIMITS, type DatasetCase } from './case';
import { RowError, datasetError } from './errors';

/**
 * Gathers the cases of one file and its problems; nothing comes out unless every row is good.
 * Each reader hands it rows with their line numbers, so every error says where to look.
 */
export class CaseCollector {
  private readonly cases: DatasetCase[] = [];
  private readonly problems: string[] = [];
  private total = 0;
  private rows = 0;
  private readonly firstLine = new Map<string, number>();

  constructor(
    readonly source: string,
    private readonly hint: string,
  ) {}

  /** Builds the row's case; a RowError becomes a problem, anything else is a bug and propagates. */
  add(line: number, build: (at: string, position: number) => DatasetCase): void {
    this.rows++;
    if (this.rows > DATASET_LIMITS.maxCases) {
      // Past the limit the rest of the file is not worth reading: fail at once.
      const problem = `${this.source}:${line}: more than ${DATASET_LIMITS.maxCases} cases; split the dataset into several files`;
      throw datasetError(this.source, [problem], 1, this.hint);
    }
    const at = `${this.source}:${line}`;
    let c: DatasetCase;
    try {
      c = build(at, this.rows);
    } catch (err) {
      if (err instanceof RowError) return this.problem(err.message);
      throw err;
    }
    const first = this.firstLine.get(c.id);
    if (first !== undefined) return this.problem(`${at}: duplicate case id "${c.id}" (first at line ${first})`);
    this.firstLine.set(c.id, line);
    this.cases.push(c);
  }

  problemAt(line: number, message: string): void {
    this.problem(`${this.source}:${line}: ${message}`);
  }

  /** Counts every problem but keeps only the first few for the message. */
  problem(message: string): void {
    this.total++;
    if (this.problems.length < DATASET_LIMITS.maxProblems) this.problems.push(message);
  }

  finish(): DatasetCase[] {
    if (this.total) throw datasetError(this.source, this.problems, this.total, this.hint);
    if (this.cases.length === 0) {
      throw datasetError(this.source, [`${this.source}: no cases; add at least one`], 1, this.hint);
    }
    return this.cases;
  }
}

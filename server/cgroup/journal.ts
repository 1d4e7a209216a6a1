/**
 * Writes with an undo log: a limits change touches several files (cpu quota and period, memory
 * limit and memsw, four blkio files), and a failure half-way must not leave half of it applied.
 */
import { readOptional, writeCgroupFile, type CgroupDir } from './fsio';

interface Undo {
  d: CgroupDir;
  file: string;
  values: string[];
}

export interface JournalWrite {
  /** LimitsPatch key the value came from, for error messages. */
  field?: string;
  /**
   * What to write back, in order, to undo this write. Default: the file's content before the
   * write (right for single-value files). Multi-line files (io.max, blkio throttle) pass the
   * per-device lines that restore them.
   */
  restore?: string[];
}

export class WriteJournal {
  private readonly undo: Undo[] = [];

  async write(d: CgroupDir, file: string, value: string, opts: JournalWrite = {}): Promise<void> {
    let restore = opts.restore;
    if (!restore) {
      const before = await readOptional(d, file);
      restore = before === null ? [] : [before.trim()];
    }
    await writeCgroupFile(d, file, value, opts.field);
    this.undo.push({ d, file, values: restore });
  }

  /** Undo every write, newest first. Returns messages of undo writes that failed too. */
  async rollback(): Promise<string[]> {
    const failures: string[] = [];
    for (const u of this.undo.reverse()) {
      for (const v of u.values) {
        try {
          await writeCgroupFile(u.d, u.file, v);
        } catch (err) {
          failures.push((err as Error).message);
        }
      }
    }
    this.undo.length = 0;
    return failures;
  }
}

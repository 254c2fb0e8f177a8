import type { Db } from '../../store/db';
import {
  createTuneRun,
  earlierRunCategories,
  finishTuneRun,
  recordIteration,
  recordSnapshot,
  recordWeaknesses,
  setTuneRunStatus,
} from '../../store/tune-runs';
import { classifyRecurring } from '../../tune/recurring';
import type { IterationRecord, RecurringFinding, TuneInput } from '../../tune/types';

/** The tune run's bookkeeping in the store; every write is idempotent on its natural key. */
export function recordActivities(db: Db) {
  return {
    async prepareTuneRun(input: { tune: TuneInput; workflowId: string }): Promise<void> {
      await createTuneRun(db, {
        runId: input.tune.runId,
        workflowId: input.workflowId,
        skills: input.tune.skills.map((s) => s.name),
        settings: input.tune.settings,
        startedBy: input.tune.startedBy,
      });
    },

    /** Records the content each skill has before this iteration executes (first write wins). */
    async snapshotSkills(input: {
      runId: string;
      iteration: number;
      current: Record<string, string>;
    }): Promise<Record<string, string>> {
      const recorded: Record<string, string> = {};
      for (const [skill, hash] of Object.entries(input.current)) {
        recorded[skill] = await recordSnapshot(db, input.runId, input.iteration, skill, hash);
      }
      return recorded;
    },

    async recordTuneIteration(input: {
      runId: string;
      record: IterationRecord;
      weaknessBySkill: Record<string, string[]>;
    }): Promise<void> {
      await recordIteration(db, input.runId, input.record.iteration, input.record.score, input.record);
      for (const [skill, categories] of Object.entries(input.weaknessBySkill)) {
        await recordWeaknesses(db, input.runId, skill, categories);
      }
    },

    /** Reference 003's repetition rule for this run's weaknesses against the skill's earlier runs. */
    async findRecurringIssues(input: {
      runId: string;
      weaknessBySkill: Record<string, string[]>;
    }): Promise<RecurringFinding[]> {
      const findings: RecurringFinding[] = [];
      for (const [skill, categories] of Object.entries(input.weaknessBySkill)) {
        findings.push(...classifyRecurring(skill, categories, await earlierRunCategories(db, skill, input.runId)));
      }
      return findings;
    },

    async setTuneStatus(input: { runId: string; status: string }): Promise<void> {
      await setTuneRunStatus(db, input.runId, input.status);
    },

    async finishTune(input: {
      runId: string;
      status: string;
      termination?: string;
      bestScore?: number;
      assertiveness?: number;
      reportRef?: string;
    }): Promise<void> {
      await finishTuneRun(db, input.runId, input);
    },
  };
}

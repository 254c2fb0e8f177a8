import { Context } from '@temporalio/activity';
import { auditLibrary, STALE_DAYS, type AuditFinding, type AuditItem } from './library-audit';
import { recordCalendarRun } from '../shared/calendar-run-store';
import { datasetShift } from './dataset-refresh';
import type { DatasetRefresh, DrillResult, QuarterlyOutcome } from './quarterly-types';
import { countPostRunEvals } from '../shared/post-run-eval-store';
import { renderQuarterlyReport } from './quarterly-report';
import type { EvalCase } from '../../eval/types';
import { contributionsByPerson } from '../../library/contribution';
import { contributionsByItem } from '../../library/contribution-store';
import { putBlob } from '../../store/blobs';
import type { Db } from '../../store/db';
import { datasetForTarget, getDatasetCases } from '../../store/evals';
import type { DrillApi } from '../../library/staging-drill';
import {
  datasetTargets,
  datasetTargetsByName,
  lastRunAt,
  lastVersionAt,
  libraryItemsCreatedBy,
  productionVersionByName,
  recentProductionInputs,
} from './quarterly-store';
import { rollbackDrill } from './rollback-drill';

const DAY_MS = 86_400_000;
/** Inputs compared per side: enough for the shares to be stable, bounded for the pairwise coverage check. */
const MAX_INPUTS = 1000;

/** The text of a case as the application would send it: `input`, else its variables. */
function caseInput(c: EvalCase): string {
  if (c.input !== undefined) return c.input;
  if (typeof c.vars.input === 'string') return c.vars.input;
  return Object.values(c.vars).map(String).join('\n');
}

/** Every k-th element so at most max remain, spread over the whole list. */
function spread<T>(xs: T[], max: number): T[] {
  if (xs.length <= max) return xs;
  const step = xs.length / max;
  return Array.from({ length: max }, (_, i) => xs[Math.floor(i * step)]!);
}

/** Quarterly audit, dataset refresh review and rollback drills: store reads and writes, batched. */
export function quarterlyActivities(deps: { db: Db; drillApi?: Partial<DrillApi> }) {
  const { db } = deps;
  return {
    /** The library audit over every item created by asOf; also names the production prompts to drill. */
    async auditLibraryItems(p: {
      asOf: string;
    }): Promise<{ items: number; findings: AuditFinding[]; production: string[] }> {
      const items = await libraryItemsCreatedBy(db, p.asOf);
      const versions = await lastVersionAt(db, p.asOf);
      const runs = await lastRunAt(db, p.asOf);
      const targets = await datasetTargets(db);
      const production = await productionVersionByName(db);
      const audit: AuditItem[] = items.map((i) => ({
        name: i.name,
        kind: i.kind === 'skill' ? 'skill' : 'prompt',
        owner: i.owner,
        tags: JSON.parse(i.tags) as string[],
        lastVersionAt: versions.get(i.name) ?? null,
        lastRunAt: runs.get(i.name) ?? null,
        hasDataset: targets.has(i.name),
        production: production.get(i.name),
      }));
      return {
        items: audit.length,
        findings: auditLibrary(audit, p.asOf),
        production: audit.filter((i) => i.production !== undefined).map((i) => i.name),
      };
    },

    /**
     * For each item with a golden dataset: its inputs against the production inputs recorded in the
     * quarter before asOf (the newest MAX_INPUTS), measured by datasetShift.
     */
    async reviewDatasetShift(p: { asOf: string }): Promise<DatasetRefresh[]> {
      const since = new Date(Date.parse(p.asOf) - STALE_DAYS * DAY_MS).toISOString();
      const names = await datasetTargetsByName(db);
      const reviews: DatasetRefresh[] = [];
      for (const target of names) {
        const dataset = await datasetForTarget(db, target);
        if (!dataset) continue;
        const production = await recentProductionInputs(db, target, since, p.asOf, MAX_INPUTS);
        const cases = await getDatasetCases(db, dataset.name, dataset.version);
        reviews.push({
          name: target,
          dataset: dataset.name,
          datasetVersion: dataset.version,
          verdict: datasetShift(spread(cases.map(caseInput), MAX_INPUTS), production),
        });
        Context.current().heartbeat({ reviewed: target });
      }
      return reviews;
    },

    /** Rollback drills of a batch of production prompts, one after another (each is recorded once). */
    async runRollbackDrills(p: { runId: string; names: string[] }): Promise<DrillResult[]> {
      const results: DrillResult[] = [];
      for (const name of p.names) {
        const r = await rollbackDrill(db, deps.drillApi, p.runId, name);
        if (r) results.push(r);
        Context.current().heartbeat({ drilled: name });
      }
      return results;
    },

    /** The report (stored as a blob) and the calendar_runs record. */
    async finishQuarterlyRun(o: QuarterlyOutcome): Promise<{ reportRef: string; counts: Record<string, number> }> {
      const since = new Date(Date.parse(o.asOf) - STALE_DAYS * DAY_MS).toISOString();
      const contribution = contributionsByPerson(await contributionsByItem(db, { since, until: o.asOf }));
      const reportRef = await putBlob(
        db,
        renderQuarterlyReport(o, await countPostRunEvals(db, since, o.asOf), contribution),
      );
      const counts = quarterlyCounts(o);
      await recordCalendarRun(db, {
        runId: o.runId,
        period: 'quarterly',
        asOf: o.asOf,
        counts,
        reportRef,
        startedAt: o.startedAt,
        finishedAt: new Date().toISOString(),
        summary: {
          findings: o.findings.map((f) => ({ name: f.name, rule: f.rule })),
          refresh: o.datasets.filter((d) => d.verdict.status === 'refresh').map((d) => d.name),
          drills: o.drills.map((d) => ({
            name: d.name,
            status: d.status,
            timeToRollbackMs: d.timeToRollbackMs,
            detail: d.detail,
          })),
        },
      });
      return { reportRef, counts };
    },
  };
}

export function quarterlyCounts(o: QuarterlyOutcome): Record<string, number> {
  const rule = (r: AuditFinding['rule']) => o.findings.filter((f) => f.rule === r).length;
  return {
    items: o.items,
    findings: o.findings.length,
    noOwner: rule('no-owner'),
    stale: rule('stale'),
    inconsistentTags: rule('inconsistent-tags'),
    noDataset: rule('no-golden-dataset'),
    datasetsToRefresh: o.datasets.filter((d) => d.verdict.status === 'refresh').length,
    drills: o.drills.length,
    drillsFailed: o.drills.filter((d) => d.status === 'failed').length,
    drillsSkipped: o.drills.filter((d) => d.status === 'skipped').length,
  };
}

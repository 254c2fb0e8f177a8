import { failureReason, type StoredResult } from '../store/evals';
import type { EvalSummary } from './types';

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** JUnit XML for CI systems: one testcase per case sample, failures with their reasons. */
export function toJUnit(name: string, summary: EvalSummary, results: StoredResult[]): string {
  const failures = results.filter((r) => r.status === 'fail').length;
  const errors = results.filter((r) => r.status === 'error').length;
  const cases = results.map((r) => {
    const id = esc(`${r.caseId}${r.sample ? `#${r.sample + 1}` : ''}`);
    const time = ((r.latencyMs ?? 0) / 1000).toFixed(3);
    if (r.status === 'pass') return `    <testcase classname="${esc(name)}" name="${id}" time="${time}"/>`;
    const why = failureReason(r);
    const tag = r.status === 'error' ? 'error' : 'failure';
    return `    <testcase classname="${esc(name)}" name="${id}" time="${time}">\n      <${tag} message="${esc(why)}"/>\n    </testcase>`;
  });
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites tests="${results.length}" failures="${failures}" errors="${errors}">`,
    `  <testsuite name="${esc(name)}" tests="${results.length}" failures="${failures}" errors="${errors}">`,
    ...cases,
    `    <properties><property name="passRate" value="${summary.passRate}"/><property name="gate" value="${summary.gate?.passed ? 'passed' : 'failed'}"/></properties>`,
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}

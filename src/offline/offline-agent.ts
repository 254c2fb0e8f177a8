import type { ToolCall, ToolTurnRequest } from '../providers/tools';

/**
 * The offline executor as an agent, deterministic: first it lists the skill's files, then it reads the files
 * SKILL.md refers to by path (what it needs for its checklist; the rest stays unread), then it answers with the
 * deliverable the inline simulation writes, plus which references it used. Shows progressive disclosure in
 * `npm start` without a model.
 */
export function offlineAgentTurn(req: ToolTurnRequest): { text: string; toolCalls: ToolCall[] } {
  const opening = req.messages[0]?.role === 'user' ? req.messages[0].text : '';
  const skillMd = /<skill-md>\n([\s\S]*?)\n<\/skill-md>/.exec(opening)?.[1] ?? '';
  const scenario = /<scenario>\n([\s\S]*?)\n<\/scenario>/.exec(opening)?.[1] ?? '';
  const turns = req.messages.filter((m) => m.role === 'assistant').length;
  const last = req.messages[req.messages.length - 1];
  if (turns === 0) return { text: '', toolCalls: [{ id: 'offline-1-1', name: 'list_files', input: {} }] };
  if (turns === 1 && last?.role === 'tool') {
    const listed = (last.results[0]?.content ?? '')
      .split('\n')
      .filter((line) => !line.includes('binary, not readable'))
      .map((line) => line.replace(/ \(\d+ bytes\)$/, ''))
      .filter((path) => path !== 'SKILL.md' && path !== '');
    const needed = listed.filter((path) => skillMd.includes(path));
    if (needed.length > 0)
      return {
        text: '',
        toolCalls: needed.map((path, i) => ({ id: `offline-2-${i + 1}`, name: 'read_file', input: { path } })),
      };
  }
  const read = req.messages.flatMap((m) =>
    m.role === 'assistant' ? m.toolCalls.filter((c) => c.name === 'read_file').map((c) => String(c.input['path'])) : [],
  );
  if (!/<scenario>/.test(opening)) {
    // An eval case (an <input>, no scenario): the deterministic echo the inline simulation gives, over what this
    // run saw (the opening and the files it read), so assertions have text to check.
    const seen = req.messages.flatMap((m) => (m.role === 'tool' ? m.results.map((r) => r.content) : []));
    return { text: `Offline answer: ${[opening, ...seen].join('\n\n').trim()}`, toolCalls: [] };
  }
  const sections = [...skillMd.matchAll(/^#{1,3}\s+(.+)$/gm)].map((m) => m[1]!);
  const text = [
    `# Deliverable`,
    `Scenario: ${scenario.split('\n')[0]}`,
    ...sections.map((s) => `## ${s}\nApplied "${s}" to the scenario.`),
    ...(read.length > 0 ? [`References used: ${read.join(', ')}`] : []),
  ].join('\n\n');
  return { text, toolCalls: [] };
}

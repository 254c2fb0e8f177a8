import { estimateCostUsd } from '../providers/pricing';

export interface CostEstimate {
  calls: number;
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
}

/** Rough tokens for text: about four characters a token, the usual rule of thumb for English. */
export const roughTokens = (text: string) => Math.ceil(text.length / 4);

/**
 * What a run will spend before it starts: cases × samples × (prompt size in, an output budget out),
 * plus one judge call per sample of a judge-graded case, priced from the model price table.
 */
export function estimateRunCost(p: {
  prompts: string[];
  judgeGraded: boolean[];
  samples: number;
  model: string;
  judgeModel: string;
  maxOutputTokens: number;
}): CostEstimate {
  let inputTokens = 0;
  let outputTokens = 0;
  let costUsd = 0;
  let calls = 0;
  p.prompts.forEach((prompt, i) => {
    const judged = p.judgeGraded[i] ?? false;
    const samples = judged ? p.samples : 1;
    const inTok = roughTokens(prompt);
    calls += samples;
    inputTokens += inTok * samples;
    outputTokens += p.maxOutputTokens * samples;
    costUsd += estimateCostUsd(p.model, inTok * samples, p.maxOutputTokens * samples);
    if (judged) {
      // The judge reads the prompt and the answer, and writes a short verdict.
      const judgeIn = (inTok + p.maxOutputTokens) * samples;
      calls += samples;
      inputTokens += judgeIn;
      outputTokens += 300 * samples;
      costUsd += estimateCostUsd(p.judgeModel, judgeIn, 300 * samples);
    }
  });
  return { calls, inputTokens, outputTokens, costUsd: Math.round(costUsd * 1e6) / 1e6 };
}

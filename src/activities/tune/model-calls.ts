import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import { Context } from '@temporalio/activity';
import type { Config } from '../../config';
import { OfflineProvider } from '../../offline/offline-provider';
import {
  checkContextBudget,
  createProvider,
  supportsTools,
  toActivityFailure,
  toolRequestText,
  type CompletionRequest,
  type CompletionResult,
  type Provider,
  type ProviderName,
  type ToolTurnRequest,
  type ToolTurnResult,
} from '../../providers';
import type { Db } from '../../store/db';
import { recordProviderCall } from '../../store/tune-runs';
import { resolveModel, resolveTuneModels, type ModelRole, type WorkerProviders } from '../../tune/model-choice';
import type { ModelChoice, RunModels } from '../../tune/types';

/** Builds providers from the worker's config; keys never leave this object. */
export class ModelCalls {
  private readonly cache = new Map<string, Provider>();
  constructor(
    private readonly config: Pick<Config, 'provider' | 'anthropic' | 'gemini' | 'openai'>,
    private readonly db: Db,
  ) {}

  /** The provider client for name, built once (keys stay inside it). */
  provider(name: 'anthropic' | 'gemini' | 'openai' | 'offline'): Provider {
    let p = this.cache.get(name);
    if (p) return p;
    if (name === 'offline') p = new OfflineProvider();
    else {
      const { apiKey, baseUrl } = this.settings(name);
      // OpenAI with a base URL alone is a local OpenAI-compatible server, which needs no key.
      if (!apiKey && !(name === 'openai' && baseUrl)) {
        const variable = { anthropic: 'ANTHROPIC_API_KEY', gemini: 'GEMINI_API_KEY', openai: 'OPENAI_API_KEY' }[name];
        const orUrl = name === 'openai' ? ' (or OPENAI_BASE_URL for a local OpenAI-compatible server)' : '';
        throw ApplicationFailure.create({
          type: 'ProviderNotConfigured',
          message: `${name} was chosen but the worker has no ${variable}${orUrl}: set it in the worker's environment or choose another provider`,
          nonRetryable: true,
        });
      }
      p = createProvider(name, { apiKey: apiKey ?? '', baseUrl });
    }
    this.cache.set(name, p);
    return p;
  }

  /** The worker's key and base URL for a vendor (OpenAI's are optional in the config type). */
  settings(name: 'anthropic' | 'gemini' | 'openai'): { apiKey?: string; baseUrl?: string } {
    return (name === 'openai' ? this.config.openai : this.config[name]) ?? {};
  }

  /** What `auto` and `default` mean on this worker for a role (only the worker knows its keys). */
  resolve(role: ModelRole, choice: ModelChoice) {
    return resolveModel(role, choice, this.workerProviders());
  }

  /** A tune run's three roles resolved together, so the judge can avoid the executor's family. */
  resolveRun(choices: { executor: ModelChoice; judge: ModelChoice; improver: ModelChoice }): RunModels {
    return resolveTuneModels(choices, this.workerProviders());
  }

  private workerProviders(): WorkerProviders {
    return {
      setting: this.config.provider,
      hasAnthropicKey: Boolean(this.config.anthropic.apiKey),
      hasGeminiKey: Boolean(this.config.gemini.apiKey),
      hasOpenaiKey: Boolean(this.config.openai?.apiKey || this.config.openai?.baseUrl),
    };
  }

  /**
   * One model call from an activity: heartbeats while it waits (so a dead worker is noticed), records
   * tokens and cost, and turns provider errors into failures Temporal's retry policy understands.
   */
  async call(
    role: ModelRole,
    choice: ModelChoice,
    req: CompletionRequest,
    key: { runId: string; step: string },
    /** The skill files inside the prompt, named if it does not fit the model's context window. */
    files?: Readonly<Record<string, string>>,
  ): Promise<CompletionResult> {
    const resolved = this.resolve(role, choice);
    const provider = this.provider(resolved.provider);
    return this.paid(role, key, () => {
      checkBudget(role, resolved, `${req.system ?? ''}\n${req.prompt}`, req.maxTokens, files);
      return provider.complete(resolved.model, req, {
        signal: Context.current().cancellationSignal,
        timeoutMs: 120_000,
      });
    });
  }

  /** One tool-use turn (agent execution), with the same heartbeats, budget check, recording and failures as call. */
  async turn(
    role: ModelRole,
    choice: ModelChoice,
    req: ToolTurnRequest,
    key: { runId: string; step: string },
    files?: Readonly<Record<string, string>>,
  ): Promise<ToolTurnResult> {
    const resolved = this.resolve(role, choice);
    const provider = this.provider(resolved.provider);
    if (!supportsTools(provider))
      throw ApplicationFailure.create({
        type: 'ToolUseUnsupported',
        message: `${resolved.provider} has no tool-use API here: run the skill with --execution inline`,
        nonRetryable: true,
      });
    return this.paid(role, key, () => {
      checkBudget(role, resolved, toolRequestText(req), req.maxTokens, files);
      return provider.turn(resolved.model, req, { signal: Context.current().cancellationSignal, timeoutMs: 120_000 });
    });
  }

  private async paid<R extends CompletionResult>(
    role: ModelRole,
    key: { runId: string; step: string },
    send: () => Promise<R>,
  ): Promise<R> {
    const ctx = Context.current();
    const beat = setInterval(() => ctx.heartbeat({ waiting: role }), 1000);
    let result: R;
    try {
      result = await send();
    } catch (err) {
      // A cancelled activity must report as cancelled, not as a retryable provider failure.
      if (ctx.cancellationSignal.aborted) throw new CancelledFailure('the activity was cancelled during a model call');
      throw toActivityFailure(err);
    } finally {
      clearInterval(beat);
    }
    await recordProviderCall(this.db, {
      key: `${key.runId}:${key.step}:${role}:attempt-${ctx.info.attempt}`,
      runId: key.runId,
      phase: role,
      provider: result.provider,
      model: result.model,
      inputTokens: result.inputTokens,
      outputTokens: result.outputTokens,
      costUsd: result.costUsd,
      latencyMs: result.latencyMs,
    });
    return result;
  }
}

/** Every prompt is checked against the model's context window before it is sent (never truncated). */
function checkBudget(
  role: ModelRole,
  resolved: { provider: ProviderName; model: string },
  text: string,
  maxOutputTokens: number,
  files?: Readonly<Record<string, string>>,
): void {
  try {
    checkContextBudget({ ...resolved, what: `the ${role} prompt`, text, maxOutputTokens, files });
  } catch (err) {
    throw toActivityFailure(err);
  }
}

import type { CompleteOptions, CompletionResult, Provider } from './types';

/**
 * The tool-use turn API: one model turn over a conversation that may hold tool calls and their results.
 * Vendor-neutral, so every provider (Anthropic tool use, Gemini function calling, the offline simulation, and
 * later OpenAI function calling) maps the same messages onto its own wire format.
 */
export interface ToolSpec {
  name: string;
  description: string;
  /** A JSON Schema object for the call's arguments. */
  parameters: Record<string, unknown>;
}

export interface ToolCall {
  /** The provider's call id (Anthropic `tool_use.id`, Gemini `functionCall.id` or a generated one). */
  id: string;
  name: string;
  input: Record<string, unknown>;
  /**
   * An opaque token the provider attached to the call and wants back with it on the next turn (Gemini's
   * `thoughtSignature`, required for function calling with thinking models). Never shown to anyone.
   */
  signature?: string;
}

export interface ToolResult {
  callId: string;
  /** The tool's name again: Gemini's functionResponse is matched by name. */
  name: string;
  content: string;
  isError?: boolean;
}

export type ToolMessage =
  | { role: 'user'; text: string }
  | { role: 'assistant'; text: string; toolCalls: ToolCall[] }
  | { role: 'tool'; results: ToolResult[] };

export interface ToolTurnRequest {
  system?: string;
  messages: ToolMessage[];
  tools: ToolSpec[];
  maxTokens: number;
  temperature?: number;
}

/** One turn's answer: text, the tool calls the model asks for (empty when it is done), and what the turn cost. */
export interface ToolTurnResult extends CompletionResult {
  toolCalls: ToolCall[];
}

export interface ToolProvider {
  turn(model: string, req: ToolTurnRequest, options?: CompleteOptions): Promise<ToolTurnResult>;
}

export function supportsTools(provider: Provider): provider is Provider & ToolProvider {
  return typeof (provider as Partial<ToolProvider>).turn === 'function';
}

/** Every text of a tool conversation, in order: for context-budget checks and rough token estimates. */
export function toolRequestText(req: ToolTurnRequest): string {
  const parts: string[] = [req.system ?? ''];
  for (const t of req.tools) parts.push(t.name, t.description, JSON.stringify(t.parameters));
  for (const m of req.messages) {
    if (m.role === 'user') parts.push(m.text);
    else if (m.role === 'assistant') parts.push(m.text, ...m.toolCalls.map((c) => JSON.stringify(c.input)));
    else parts.push(...m.results.map((r) => r.content));
  }
  return parts.join('\n');
}

/**
 * The OpenAI-compatible provider: {@link dev.keel.core.openai.OpenAiCompatible} (Chat Completions, with
 * tools, parallel tool calls, structured output and SSE streaming) and
 * {@link dev.keel.core.openai.OpenAiEmbeddings}. Works against any server implementing the API: OpenAI,
 * GitHub Models, Groq, llama.cpp, vLLM, Docker Model Runner.
 */
package dev.keel.core.openai;

/**
 * The Anthropic Messages provider: {@link dev.keel.core.anthropic.Anthropic}, with system prompt, tools
 * ({@code tool_use}/{@code tool_result}), extended thinking budget and SSE streaming.
 */
package dev.keel.core.anthropic;

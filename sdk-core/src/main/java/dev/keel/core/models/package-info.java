/**
 * Model references: {@code provider/model} strings such as {@code openai/gpt-5},
 * {@code anthropic/claude-sonnet-4-5} or {@code dmr/ai/qwen2.5} resolved to ready
 * {@link dev.keel.core.ChatModel}s and {@link dev.keel.core.EmbeddingModel}s through an immutable
 * {@link dev.keel.core.models.ModelRegistry}; {@link dev.keel.core.models.Models} is the one-line shortcut.
 */
package dev.keel.core.models;

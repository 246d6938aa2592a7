/**
 * The conversation: a sealed {@link dev.keel.core.message.Message} hierarchy (system, user, assistant,
 * tool result) and {@link dev.keel.core.message.ToolCall}. All values are immutable records.
 */
package dev.keel.core.message;

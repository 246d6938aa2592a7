/**
 * Model contracts: {@link dev.keel.core.ChatModel}, {@link dev.keel.core.EmbeddingModel}, requests,
 * responses, streaming callbacks and the typed {@link dev.keel.core.ModelException} hierarchy.
 */
package dev.keel.core;

/**
 * Retrieval and prompts: {@link dev.keel.rag.retrieve.Indexer} embeds and stores chunks,
 * {@link dev.keel.rag.retrieve.Retriever} finds the hits for a question (with a
 * {@link dev.keel.rag.retrieve.HitFilter} hook for permission checks), and
 * {@link dev.keel.rag.retrieve.PromptAssembler} builds the prompt within a token budget.
 */
package dev.keel.rag.retrieve;

package dev.keel.rag.internal.chunk;

/** Characters {@code [start, end)} of a text; {@code oversized} when it exceeds the limit but may not be split. */
public record Span(int start, int end, boolean oversized) {
}

package dev.keel.rag.internal.knowledge;

import dev.keel.rag.knowledge.KnowledgeHit;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * The search tool's answer as docker-agent returns it: a JSON array of
 * {@code {"source_path", "content", "similarity", "chunk_index"}}, best first, at most 10 entries; with
 * {@code include_score} each entry adds {@code "scores"} (per strategy, fused, rerank); with
 * {@code return_full_content} {@code content} is the whole document (once per document).
 */
public final class ToolAnswer {
    private static final int MAX_RESULTS = 10;

    private ToolAnswer() {
    }

    public static String json(List<KnowledgeHit> hits, boolean includeScore, Function<String, String> fullContent) {
        StringBuilder out = new StringBuilder("[");
        java.util.Set<String> sources = new java.util.HashSet<>();
        int written = 0;
        for (KnowledgeHit hit : hits) {
            if (written == MAX_RESULTS) {
                break;
            }
            String content = hit.text();
            if (fullContent != null) {
                if (!sources.add(hit.source())) {
                    continue;
                }
                String full = fullContent.apply(hit.source());
                content = full == null ? hit.text() : full;
            }
            if (written > 0) {
                out.append(',');
            }
            out.append("{\"source_path\":").append(quote(hit.source()))
                    .append(",\"content\":").append(quote(content))
                    .append(",\"similarity\":").append(number(hit.score()))
                    .append(",\"chunk_index\":").append(ordinal(hit.chunkId()));
            if (includeScore) {
                out.append(",\"scores\":{");
                boolean first = true;
                for (Map.Entry<String, Double> e : hit.strategyScores().entrySet()) {
                    out.append(first ? "" : ",").append(quote(e.getKey())).append(':').append(number(e.getValue()));
                    first = false;
                }
                out.append(first ? "" : ",").append("\"fusion\":").append(number(hit.fusedScore()));
                if (hit.rerankScore().isPresent()) {
                    out.append(",\"rerank\":").append(number(hit.rerankScore().getAsDouble()));
                }
                out.append('}');
            }
            out.append('}');
            written++;
        }
        return out.append(']').toString();
    }

    private static int ordinal(String chunkId) {
        int hash = chunkId.lastIndexOf('#');
        try {
            return hash < 0 ? 0 : Integer.parseInt(chunkId.substring(hash + 1));
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private static String number(double d) {
        return Double.isFinite(d) ? String.format(Locale.ROOT, "%.6g", d) : "0";
    }

    /** A JSON string literal. */
    public static String quote(String s) {
        StringBuilder out = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20 || c == 0x2028 || c == 0x2029) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.append('"').toString();
    }
}

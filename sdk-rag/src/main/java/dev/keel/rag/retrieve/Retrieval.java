package dev.keel.rag.retrieve;

import dev.keel.rag.store.Hit;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * What a {@link Retriever} found for one question, and why it returned what it did — in particular why it
 * returned nothing: an empty store, no hit reaching {@code minScore} (with the best score it saw, so a
 * threshold set too high shows), or hits that the hit filter removed. {@link #explanation()} is one line
 * to log.
 *
 * @param hits          the hits returned, best first
 * @param aboveMinScore how many hits the store returned at or above {@code minScore} (before filtering)
 * @param minScore      the retriever's score threshold
 * @param bestBelow     when no hit reached {@code minScore}: the best hit the store has for the question
 *                      (its score is under the threshold); empty otherwise or when the store is empty
 */
public record Retrieval(List<Hit> hits, int aboveMinScore, double minScore, Optional<Hit> bestBelow) {
    /**
     * Validates and copies.
     *
     * @param aboveMinScore how many hits the store returned at or above {@code minScore} (before filtering)
     * @param bestBelow when no hit reached {@code minScore}: the best hit the store has for the question (its
     *     score is under the threshold); empty otherwise or when the store is empty
     * @param hits the hits returned, best first
     * @param minScore the retriever's score threshold
     */
    public Retrieval {
        hits = List.copyOf(Objects.requireNonNull(hits, "hits"));
        Objects.requireNonNull(bestBelow, "bestBelow");
        if (aboveMinScore < 0) {
            throw new IllegalArgumentException("aboveMinScore must not be negative");
        }
    }

    /**
     * True when no hit is returned.
     *
     * @return true when no hit is returned
     */
    public boolean isEmpty() {
        return hits.isEmpty();
    }

    /**
     * The reason in one line, e.g. {@code no hit scored at least 0.450 (best seen: 0.312, snippets.md#4)}.
     *
     * @return the reason in one line
     */
    public String explanation() {
        if (!hits.isEmpty()) {
            return String.format(Locale.ROOT, "%d hit%s (best %.3f, %s)", hits.size(), hits.size() == 1 ? "" : "s",
                    hits.get(0).score(), hits.get(0).id());
        }
        if (aboveMinScore > 0) {
            return aboveMinScore + " hit" + (aboveMinScore == 1 ? "" : "s") + " reached minScore "
                    + String.format(Locale.ROOT, "%.3f", minScore) + " but the hit filter removed all of them";
        }
        return bestBelow.map(best -> String.format(Locale.ROOT, "no hit scored at least %.3f (best seen: %.3f, %s)",
                        minScore, best.score(), best.id()))
                .orElse("no hit: nothing in the store matches the metadata filter (or the store is empty)");
    }

    @Override
    public String toString() {
        return "Retrieval[" + explanation() + "]";
    }
}

package dev.keel.rag.knowledge;

import java.util.Map;
import java.util.Objects;

/**
 * How a {@link KnowledgeBase} combines the candidate lists of its strategies (docker-agent's
 * {@code results.fusion}). Candidates are the same passage when they come from the same source with the same
 * offsets. With {@code r_s(d)} the 1-based rank and {@code s_s(d)} the score of passage {@code d} in strategy
 * {@code s}'s list (absent passages contribute nothing):
 *
 * <ul>
 *   <li>{@link #rrf(int) RRF}: {@code fused(d) = Σ_s 1 / (k + r_s(d))}, default {@code k = 60}.</li>
 *   <li>{@link #weighted(Map) weighted}: {@code fused(d) = Σ_s w_s · (s_s(d) − min_s) / (max_s − min_s)},
 *       min and max over strategy {@code s}'s list (a list whose scores are all equal normalises to 1);
 *       strategies without a weight get 1.</li>
 *   <li>{@link #max() max}: {@code fused(d) = max_s s_s(d)} — only meaningful when the strategies score on
 *       one scale.</li>
 * </ul>
 *
 * Ties are broken by the best rank the passage had in any list, then by source and offset, so results are
 * deterministic. Fusing a single list returns that list in its order.
 */
public sealed interface Fusion permits Fusion.Rrf, Fusion.Weighted, Fusion.Max {

    /**
     * Reciprocal rank fusion with {@code k = 60}.
     *
     * @return the fusion
     */
    static Fusion rrf() {
        return new Rrf(60);
    }

    /**
     * Reciprocal rank fusion with smoothing constant {@code k}.
     *
     * @param k the smoothing constant
     * @return the fusion
     */
    static Fusion rrf(int k) {
        return new Rrf(k);
    }

    /**
     * Weighted sum of min-max-normalised scores; {@code weights} by strategy name.
     *
     * @param weights the weight of each strategy, by name
     * @return the fusion
     */
    static Fusion weighted(Map<String, Double> weights) {
        return new Weighted(weights);
    }

    /**
     * The maximum raw score across strategies.
     *
     * @return the maximum raw score across strategies
     */
    static Fusion max() {
        return new Max();
    }

    /**
     * Reciprocal rank fusion. @param k the smoothing constant, at least 1
     *
     * @param k the smoothing constant
     */
    record Rrf(int k) implements Fusion {
        /**
         * Validates {@code k}.
         *
         * @param k the smoothing constant
         */
        public Rrf {
            if (k < 1) {
                throw new IllegalArgumentException("RRF k must be at least 1, got " + k);
            }
        }
    }

    /**
     * Weighted score fusion. @param weights strategy name → weight in [0, 1]
     *
     * @param weights the weight of each strategy, by name
     */
    record Weighted(Map<String, Double> weights) implements Fusion {
        /**
         * Validates and copies the weights.
         *
         * @param weights the weight of each strategy, by name
         */
        public Weighted {
            weights = Map.copyOf(Objects.requireNonNull(weights, "weights"));
            weights.forEach((name, w) -> {
                if (w == null || !(w >= 0 && w <= 1)) {
                    throw new IllegalArgumentException("weight of strategy '" + name + "' must be in [0, 1], got " + w);
                }
            });
        }

        /**
         * The weight of {@code strategy} (1 when not given).
         *
         * @param strategy the strategy's name
         * @return the weight of {@code strategy}
         */
        public double weight(String strategy) {
            return weights.getOrDefault(strategy, 1.0);
        }
    }

    /** Maximum score fusion. */
    record Max() implements Fusion {
    }
}

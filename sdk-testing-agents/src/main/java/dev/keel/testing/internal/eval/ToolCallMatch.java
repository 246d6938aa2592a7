package dev.keel.testing.internal.eval;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiPredicate;

/** Matching expected tool calls against observed ones; stateless. */
public final class ToolCallMatch {
    private ToolCallMatch() {}

    /**
     * For an in-order expectation: the index of the first expected call that cannot be matched after the previous
     * ones (greedy earliest match is optimal for a subsequence), or -1 when all match.
     *
     * @param expected the expected calls
     * @param observed the observed calls
     * @param matches  whether an expected call matches an observed one
     * @param <E>      expected type
     * @param <O>      observed type
     * @return the first unmatched expected index, or -1
     */
    public static <E, O> int firstMissingInOrder(List<E> expected, List<O> observed, BiPredicate<E, O> matches) {
        int j = 0;
        for (int i = 0; i < expected.size(); i++) {
            while (j < observed.size() && !matches.test(expected.get(i), observed.get(j))) {
                j++;
            }
            if (j == observed.size()) {
                return i;
            }
            j++;
        }
        return -1;
    }

    /**
     * For an any-order expectation: the expected calls left unmatched by a maximum matching (each observed call
     * serves one expected call), found with augmenting paths so a broad expectation never takes the only call a
     * narrow one could use.
     *
     * @param expected the expected calls
     * @param observed the observed calls
     * @param matches  whether an expected call matches an observed one
     * @param <E>      expected type
     * @param <O>      observed type
     * @return indexes of the unmatched expected calls, ascending
     */
    public static <E, O> List<Integer> unmatchedAnyOrder(List<E> expected, List<O> observed, BiPredicate<E, O> matches) {
        int[] owner = new int[observed.size()];
        Arrays.fill(owner, -1);
        List<Integer> missing = new ArrayList<>();
        for (int i = 0; i < expected.size(); i++) {
            if (!augment(i, expected, observed, matches, owner, new boolean[observed.size()])) {
                missing.add(i);
            }
        }
        return missing;
    }

    private static <E, O> boolean augment(int i, List<E> expected, List<O> observed, BiPredicate<E, O> matches,
                                          int[] owner, boolean[] seen) {
        for (int j = 0; j < observed.size(); j++) {
            if (!seen[j] && matches.test(expected.get(i), observed.get(j))) {
                seen[j] = true;
                if (owner[j] < 0 || augment(owner[j], expected, observed, matches, owner, seen)) {
                    owner[j] = i;
                    return true;
                }
            }
        }
        return false;
    }

    /**
     * docker-agent's tool-call score: the F1 of the multisets of tool names (1 when both are empty).
     *
     * @param expected expected tool names
     * @param observed observed tool names
     * @return the F1 score in [0, 1]
     */
    public static double f1(List<String> expected, List<String> observed) {
        if (expected.isEmpty() && observed.isEmpty()) {
            return 1.0;
        }
        if (expected.isEmpty() || observed.isEmpty()) {
            return 0.0;
        }
        Map<String, Integer> counts = new HashMap<>();
        expected.forEach(n -> counts.merge(n, 1, Integer::sum));
        int truePositives = 0;
        for (String n : observed) {
            Integer left = counts.get(n);
            if (left != null && left > 0) {
                truePositives++;
                counts.put(n, left - 1);
            }
        }
        double precision = (double) truePositives / observed.size();
        double recall = (double) truePositives / expected.size();
        return precision + recall == 0 ? 0.0 : 2 * precision * recall / (precision + recall);
    }
}

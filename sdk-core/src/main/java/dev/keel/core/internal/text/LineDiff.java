package dev.keel.core.internal.text;

import java.util.ArrayList;
import java.util.List;

/**
 * A readable line diff between a recorded text and a live one, as cassette misses and run-recording divergences
 * show it: {@code -} lines only the recording has, {@code +} lines only the live side has, one line of context
 * around each change, a count of the equal lines skipped at the start, long lines shortened, long diffs cut.
 * The result also says how far apart the two are, so a caller can pick the nearest of several candidates.
 * Stateless and thread-safe.
 */
public final class LineDiff {
    private static final int MAX_LINE = 160;
    private static final int MAX_LINES = 40;
    /** Lines are compared for distance on their first characters only: enough to rank candidates. */
    private static final int DISTANCE_PREFIX = 400;

    private LineDiff() {}

    /**
     * A diff.
     *
     * @param text     the readable diff (empty when the two are equal)
     * @param changes  how many lines were removed or added
     * @param distance the summed edit distance of the changed lines paired in order (a finer tie-breaker)
     */
    public record Result(String text, int changes, long distance) {
        /**
         * Whether this diff is smaller than {@code other}: fewer changed lines, then a smaller distance.
         *
         * @param other another diff
         * @return whether this one is nearer
         */
        public boolean nearerThan(Result other) {
            return changes < other.changes || (changes == other.changes && distance < other.distance);
        }
    }

    /**
     * Diffs {@code recorded} against {@code live}.
     *
     * @param recorded the recorded lines
     * @param live     the live lines
     * @return the diff
     */
    public static Result of(List<String> recorded, List<String> live) {
        // Common prefix and suffix first: requests of one run share most of their lines.
        int start = 0;
        while (start < recorded.size() && start < live.size() && recorded.get(start).equals(live.get(start))) {
            start++;
        }
        int endA = recorded.size();
        int endB = live.size();
        while (endA > start && endB > start && recorded.get(endA - 1).equals(live.get(endB - 1))) {
            endA--;
            endB--;
        }
        List<String> a = recorded.subList(start, endA);
        List<String> b = live.subList(start, endB);
        int[][] lcs = new int[a.size() + 1][b.size() + 1];
        for (int i = a.size() - 1; i >= 0; i--) {
            for (int j = b.size() - 1; j >= 0; j--) {
                lcs[i][j] = a.get(i).equals(b.get(j)) ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
            }
        }
        List<String> ops = new ArrayList<>();
        List<String> removed = new ArrayList<>();
        List<String> added = new ArrayList<>();
        if (start > 0) {
            ops.add("  " + recorded.get(start - 1));
        }
        int i = 0;
        int j = 0;
        while (i < a.size() || j < b.size()) {
            if (i < a.size() && j < b.size() && a.get(i).equals(b.get(j))) {
                ops.add("  " + a.get(i++));
                j++;
            } else if (j < b.size() && (i == a.size() || lcs[i][j + 1] > lcs[i + 1][j])) {
                added.add(b.get(j));
                ops.add("+ " + b.get(j++));
            } else {
                removed.add(a.get(i));
                ops.add("- " + a.get(i++));
            }
        }
        if (endA < recorded.size()) {
            ops.add("  " + recorded.get(endA));
        }
        return new Result(render(ops, start), removed.size() + added.size(), distance(removed, added));
    }

    private static String render(List<String> ops, int start) {
        StringBuilder sb = new StringBuilder();
        if (start > 1) {
            sb.append("  ... (").append(start - 1).append(" equal lines)\n");
        }
        int shown = 0;
        boolean gap = false;
        for (int k = 0; k < ops.size() && shown < MAX_LINES; k++) {
            boolean near = false;
            for (int d = -1; d <= 1; d++) {
                int n = k + d;
                near |= n >= 0 && n < ops.size() && !ops.get(n).startsWith("  ");
            }
            if (near) {
                if (gap && sb.length() > 0) {
                    sb.append("  ...\n");
                }
                String line = ops.get(k);
                sb.append(line.length() > MAX_LINE ? line.substring(0, MAX_LINE - 3) + "..." : line).append('\n');
                shown++;
                gap = false;
            } else {
                gap = true;
            }
        }
        if (shown == MAX_LINES) {
            sb.append("  ... (diff shortened)\n");
        }
        return sb.toString();
    }

    private static long distance(List<String> removed, List<String> added) {
        long distance = 0;
        for (int k = 0; k < Math.max(removed.size(), added.size()); k++) {
            distance += editDistance(k < removed.size() ? removed.get(k) : "", k < added.size() ? added.get(k) : "");
        }
        return distance;
    }

    /** Levenshtein distance of two lines, each cut to their first characters. */
    private static int editDistance(String x, String y) {
        String a = x.length() > DISTANCE_PREFIX ? x.substring(0, DISTANCE_PREFIX) : x;
        String b = y.length() > DISTANCE_PREFIX ? y.substring(0, DISTANCE_PREFIX) : y;
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }
}

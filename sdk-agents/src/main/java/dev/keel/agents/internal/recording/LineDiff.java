package dev.keel.agents.internal.recording;

import java.util.ArrayList;
import java.util.List;

/**
 * A readable line diff: {@code -} lines only the recording has, {@code +} lines only the live run has, one
 * line of context around each change, long lines shortened, long diffs cut. Stateless.
 */
public final class LineDiff {
    private static final int MAX_LINE = 160;
    private static final int MAX_LINES = 40;

    private LineDiff() {}

    /** The diff text, and how many lines changed (to pick the nearest of several candidates). */
    public record Result(String text, int changes) {}

    /** Diffs {@code recorded} against {@code live}. */
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
        if (start > 0) {
            ops.add("  " + recorded.get(start - 1));
        }
        int i = 0;
        int j = 0;
        int changes = 0;
        while (i < a.size() || j < b.size()) {
            if (i < a.size() && j < b.size() && a.get(i).equals(b.get(j))) {
                ops.add("  " + a.get(i++));
                j++;
            } else if (j < b.size() && (i == a.size() || lcs[i][j + 1] > lcs[i + 1][j])) {
                ops.add("+ " + b.get(j++));
                changes++;
            } else {
                ops.add("- " + a.get(i++));
                changes++;
            }
        }
        if (endA < recorded.size()) {
            ops.add("  " + recorded.get(endA));
        }
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
        return new Result(sb.toString(), changes);
    }
}

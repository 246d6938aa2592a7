package dev.keel.agents.internal.recording;

import dev.keel.core.secrets.SecretScanner;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What matching tolerates and redaction hides, applied to text: known secret values and redaction patterns
 * become {@code <REDACTED>}; workspace roots become {@code <workspace:N>} (N is the root's place in the
 * recording's list, so a recorded root and today's temp directory compare equal); timestamps become
 * {@code <timestamp>}; user normalise patterns become {@code <normalized>}. Immutable and thread-safe.
 */
public final class Normalizer {
    /** ISO-8601 dates, optionally with a time and zone: what {@code add_date} and tools print. */
    static final Pattern TIMESTAMP = Pattern.compile(
            "(?<![0-9])\\d{4}-\\d{2}-\\d{2}(?:[T ]\\d{2}:\\d{2}(?::\\d{2}(?:[.,]\\d+)?)?(?:Z|[+-]\\d{2}:?\\d{2})?)?(?![0-9])");
    static final String REDACTED = SecretScanner.REDACTED;
    private static final int MAX_REMEMBERED = 20_000;

    private final SecretScanner scanner;
    private final List<Pattern> redactPatterns;
    private final List<Pattern> normalizePatterns;
    /**
     * Texts already seen by matching. A model request repeats every earlier message of its session, so
     * without this a long run's replay normalises the same texts over and over (quadratic in its turns).
     */
    private final Map<Seen, String> seen = new ConcurrentHashMap<>();
    private final Map<Seen, List<String>> seenLines = new ConcurrentHashMap<>();

    private record Seen(boolean json, String text, List<String> roots) {
    }

    /**
     * @param scanner           known secret values to redact
     * @param redactPatterns    extra patterns to redact
     * @param normalizePatterns extra patterns matching ignores
     */
    public Normalizer(SecretScanner scanner, List<Pattern> redactPatterns, List<Pattern> normalizePatterns) {
        this.scanner = scanner;
        this.redactPatterns = List.copyOf(redactPatterns);
        this.normalizePatterns = List.copyOf(normalizePatterns);
    }

    /** The scanner of this normaliser's secrets. */
    public SecretScanner scanner() {
        return scanner;
    }

    /** {@code text} with known secrets and redaction patterns replaced: what a recording stores. */
    public String redact(String text) {
        String out = scanner.redact(text);
        for (Pattern p : redactPatterns) {
            out = p.matcher(out).replaceAll(Matcher.quoteReplacement(REDACTED));
        }
        return out;
    }

    /** {@code text} as matching sees it, given the workspace roots on its side of the comparison. */
    public String forMatching(String text, List<String> roots) {
        return remembered(new Seen(false, text, roots));
    }

    /** JSON {@code text} as matching sees it: keys sorted, then as {@link #forMatching}. */
    public String jsonForMatching(String text, List<String> roots) {
        return remembered(new Seen(true, text, roots));
    }

    /** {@link #forMatching} split into lines, each prefixed with {@code "  | "}: a text block of a canonical form. */
    public List<String> quotedLinesForMatching(String text, List<String> roots) {
        Seen key = new Seen(false, text, roots);
        List<String> known = seenLines.get(key);
        if (known != null) {
            return known;
        }
        if (seenLines.size() >= MAX_REMEMBERED) {
            seenLines.clear();
        }
        List<String> lines = new ArrayList<>();
        for (String line : forMatching(text, roots).split("\n", -1)) {
            lines.add("  | " + line);
        }
        List<String> out = List.copyOf(lines);
        seenLines.put(key, out);
        return out;
    }

    private String remembered(Seen key) {
        String known = seen.get(key);
        if (known != null) {
            return known;
        }
        if (seen.size() >= MAX_REMEMBERED) {
            seen.clear();
        }
        String out = normalized(key.json() ? Canonical.json(key.text()) : key.text(), key.roots());
        seen.put(key, out);
        return out;
    }

    private String normalized(String text, List<String> roots) {
        String out = replaceRoots(redact(text), roots);
        out = TIMESTAMP.matcher(out).replaceAll("<timestamp>");
        for (Pattern p : normalizePatterns) {
            out = p.matcher(out).replaceAll(Matcher.quoteReplacement("<normalized>"));
        }
        return out;
    }

    /** Replaces each root (longest first, whole path segments only) by {@code <workspace:N>}. */
    static String replaceRoots(String text, List<String> roots) {
        if (roots.isEmpty()) {
            return text;
        }
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < roots.size(); i++) {
            order.add(i);
        }
        order.sort(Comparator.comparingInt((Integer i) -> roots.get(i).length()).reversed());
        String out = text;
        for (int i : order) {
            out = replacePath(out, roots.get(i), "<workspace:" + i + ">");
        }
        return out;
    }

    /** {@code text} with the recorded roots turned back into the live ones (for results replayed to the model). */
    public static String mapRoots(String text, List<String> from, List<String> to) {
        String out = text;
        int n = Math.min(from.size(), to.size());
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            order.add(i);
        }
        order.sort(Comparator.comparingInt((Integer i) -> from.get(i).length()).reversed());
        for (int i : order) {
            if (!from.get(i).equals(to.get(i))) {
                out = replacePath(out, from.get(i), to.get(i));
            }
        }
        return out;
    }

    /** Replaces {@code path} where it is a whole path (not followed by a name character). */
    private static String replacePath(String text, String path, String replacement) {
        if (path.isEmpty() || !text.contains(path)) {
            return text;
        }
        StringBuilder sb = new StringBuilder(text.length());
        int from = 0;
        int at;
        while ((at = text.indexOf(path, from)) >= 0) {
            int end = at + path.length();
            boolean whole = end == text.length() || !continuesName(text, end);
            sb.append(text, from, at).append(whole ? replacement : path);
            from = end;
        }
        return sb.append(text.substring(from)).toString();
    }

    /** Whether the path's last name goes on at {@code i} ({@code ws-1b}, {@code ws.old}; not the full stop of a sentence). */
    private static boolean continuesName(String text, int i) {
        char c = text.charAt(i);
        if (c == '.' || c == '-') {
            return i + 1 < text.length() && Character.isLetterOrDigit(text.charAt(i + 1));
        }
        return Character.isLetterOrDigit(c) || c == '_';
    }
}

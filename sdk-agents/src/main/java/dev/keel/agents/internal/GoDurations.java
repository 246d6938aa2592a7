package dev.keel.agents.internal;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Go's duration syntax, which docker-agent files and tool arguments use: a sequence of decimal numbers with a unit
 * each ({@code 90s}, {@code 1h30m}, {@code 1.5h}, {@code 300ms}, {@code .5s}; units {@code ns}, {@code us}/{@code µs},
 * {@code ms}, {@code s}, {@code m}, {@code h}), an optional sign, and a bare {@code 0}. Exact (no floating point);
 * values beyond about 292 years are refused. Stateless.
 */
public final class GoDurations {
    private static final Pattern PART = Pattern.compile("(\\d+(?:\\.\\d*)?|\\.\\d+)(ns|us|\u00b5s|\u03bcs|ms|s|m|h)");
    private static final BigDecimal MAX_NANOS = BigDecimal.valueOf(Long.MAX_VALUE);

    private GoDurations() {}

    /**
     * Parses {@code text}.
     *
     * @param text the duration, such as {@code 1h30m}
     * @return the duration (negative when written with {@code -})
     * @throws IllegalArgumentException when the text is not a duration, saying why
     */
    public static Duration parse(String text) {
        String s = text;
        boolean negative = false;
        if (s.startsWith("-") || s.startsWith("+")) {
            negative = s.startsWith("-");
            s = s.substring(1);
        }
        if (s.equals("0")) {
            return Duration.ZERO;
        }
        Matcher m = PART.matcher(s);
        BigDecimal nanos = BigDecimal.ZERO;
        int at = 0;
        while (at < s.length()) {
            if (!m.find(at) || m.start() != at) {
                throw new IllegalArgumentException("'" + text + "' is not a duration (such as 90s, 10m, 1h30m)");
            }
            long unit = switch (m.group(2)) {
                case "ns" -> 1L;
                case "ms" -> 1_000_000L;
                case "s" -> 1_000_000_000L;
                case "m" -> 60_000_000_000L;
                case "h" -> 3_600_000_000_000L;
                default -> 1_000L;
            };
            String number = m.group(1).startsWith(".") ? "0" + m.group(1)
                    : m.group(1).endsWith(".") ? m.group(1) + "0" : m.group(1);
            nanos = nanos.add(new BigDecimal(number).multiply(BigDecimal.valueOf(unit)));
            at = m.end();
        }
        if (s.isEmpty()) {
            throw new IllegalArgumentException("'" + text + "' is not a duration (such as 90s, 10m, 1h30m)");
        }
        if (nanos.compareTo(MAX_NANOS) > 0) {
            throw new IllegalArgumentException("'" + text + "' is too long (at most about 292 years)");
        }
        Duration d = Duration.ofNanos(nanos.longValue());
        return negative ? d.negated() : d;
    }

    /**
     * {@code 1h30m}, {@code 168h}, {@code 45s}: hours, minutes and seconds, zeros left out (below a second:
     * {@code 0s}).
     *
     * @param d a non-negative duration
     * @return Go's short form of it
     */
    public static String format(Duration d) {
        StringBuilder sb = new StringBuilder();
        long h = d.toHours();
        int m = d.toMinutesPart();
        int s = d.toSecondsPart();
        if (h > 0) {
            sb.append(h).append('h');
        }
        if (m > 0) {
            sb.append(m).append('m');
        }
        if (s > 0 || sb.length() == 0) {
            sb.append(s).append('s');
        }
        return sb.toString();
    }
}

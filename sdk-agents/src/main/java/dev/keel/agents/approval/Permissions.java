package dev.keel.agents.approval;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Tool permission patterns, as in a team file's {@code permissions} block. Each pattern is a tool-name
 * glob optionally followed by argument globs: {@code read_*}, {@code shell:cmd=rm *},
 * {@code fetch:urls=*example.com*}. {@code *} matches any run of characters and {@code ?} one character;
 * an argument that is not a string is matched as its JSON text.
 *
 * <p>Evaluation order: a matching {@code deny} pattern always refuses (even in auto-approve mode); then a
 * matching {@code allow} approves; then a matching {@code ask} asks the approver; otherwise read-only
 * tools and auto-approve ("yolo") approve and everything else asks.
 *
 * @param allow patterns approved without asking
 * @param ask   patterns that always ask, even for read-only tools
 * @param deny  patterns always refused
 */
public record Permissions(List<String> allow, List<String> ask, List<String> deny) {
    private static final Permissions NONE = new Permissions(List.of(), List.of(), List.of());

    /**
     * Creates the value, checking its components.
     *
     * @param allow patterns approved without asking
     * @param ask patterns that always ask, even for read-only tools
     * @param deny patterns always refused
     */
    public Permissions {
        allow = List.copyOf(Objects.requireNonNullElse(allow, List.of()));
        ask = List.copyOf(Objects.requireNonNullElse(ask, List.of()));
        deny = List.copyOf(Objects.requireNonNullElse(deny, List.of()));
        for (List<String> list : List.of(allow, ask, deny)) {
            list.forEach(ToolPattern::parse);
        }
    }

    /**
     * No patterns.
     *
     * @return the empty pattern set
     */
    public static Permissions none() {
        return NONE;
    }

    /**
     * Copies with more allow patterns.
     *
     * @param patterns the patterns to add
     * @return a copy with the patterns added
     */
    public Permissions allowing(String... patterns) {
        return new Permissions(concat(allow, patterns), ask, deny);
    }

    /**
     * Copies with more ask patterns.
     *
     * @param patterns the patterns to add
     * @return a copy with the patterns added
     */
    public Permissions asking(String... patterns) {
        return new Permissions(allow, concat(ask, patterns), deny);
    }

    /**
     * Copies with more deny patterns.
     *
     * @param patterns the patterns to add
     * @return a copy with the patterns added
     */
    public Permissions denying(String... patterns) {
        return new Permissions(allow, ask, concat(deny, patterns));
    }

    /**
     * The union of both sets of patterns (a team's and an agent's).
     *
     * @param other the other patterns
     * @return the union of both sets of patterns
     */
    public Permissions merge(Permissions other) {
        return new Permissions(concat(allow, other.allow.toArray(String[]::new)),
                concat(ask, other.ask.toArray(String[]::new)), concat(deny, other.deny.toArray(String[]::new)));
    }

    private static List<String> concat(List<String> base, String... more) {
        List<String> out = new ArrayList<>(base);
        out.addAll(List.of(more));
        return out;
    }
}

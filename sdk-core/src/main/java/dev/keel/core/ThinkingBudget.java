package dev.keel.core;

import java.util.Locale;
import java.util.Objects;

/**
 * How much a model may reason before it answers: off, a token budget, the provider's own choice, or an effort
 * level. Each provider maps it to its own setting; the table says how.
 *
 * <table>
 *   <caption>What each provider is sent</caption>
 *   <tr><th>budget</th><th>OpenAI Chat Completions / Responses</th><th>Anthropic Messages</th>
 *       <th>Gemini</th></tr>
 *   <tr><td>{@link Off}</td><td>nothing (the model's default)</td><td>nothing (thinking stays off)</td>
 *       <td>{@code thinkingBudget: 0}</td></tr>
 *   <tr><td>{@link Tokens}</td><td>the effort whose token budget is closest from above (see {@link #effort()})</td>
 *       <td>{@code thinking.budget_tokens} (at least 1024)</td><td>{@code thinkingBudget}</td></tr>
 *   <tr><td>{@link Dynamic}</td><td>nothing (the model's default)</td><td>{@code thinking.type: adaptive}</td>
 *       <td>{@code thinkingBudget: -1}</td></tr>
 *   <tr><td>{@link EffortLevel}</td><td>{@code reasoning_effort} / {@code reasoning.effort}</td>
 *       <td>{@code thinking.budget_tokens} from {@link Effort#tokens()}; adaptive thinking with
 *       {@code output_config.effort} when {@link EffortLevel#adaptive()}</td>
 *       <td>{@code thinkingLevel} (Gemini 3), {@code thinkingBudget} from {@link Effort#tokens()} (Gemini 2.x)</td></tr>
 * </table>
 *
 * <p>{@link #parse(String)} reads docker-agent's {@code thinking_budget} spellings: {@code none}, {@code minimal},
 * {@code low}, {@code medium}, {@code high}, {@code xhigh}, {@code max}, {@code adaptive},
 * {@code adaptive/<effort>}, and token counts ({@code 0} is off, {@code -1} dynamic).
 */
public sealed interface ThinkingBudget {

    /** Reasoning off, or as little as the model allows. */
    record Off() implements ThinkingBudget {}

    /**
     * At most {@code count} reasoning tokens.
     *
     * @param count the budget, positive
     */
    record Tokens(int count) implements ThinkingBudget {
        /**
         * Requires a positive count.
         *
         * @param count the budget, positive
         */
        public Tokens {
            if (count <= 0) {
                throw new IllegalArgumentException("a thinking token budget must be positive, was " + count
                        + " (0 is ThinkingBudget.off(), -1 ThinkingBudget.dynamic())");
            }
        }
    }

    /** The model decides how much to reason (Gemini's {@code -1}, Anthropic's adaptive thinking). */
    record Dynamic() implements ThinkingBudget {}

    /**
     * An effort level.
     *
     * @param effort   how hard the model should think
     * @param adaptive whether it was written {@code adaptive/<effort>}: Anthropic then uses adaptive thinking with
     *                 that effort instead of a token budget; other providers treat it as the plain effort
     */
    record EffortLevel(Effort effort, boolean adaptive) implements ThinkingBudget {
        /**
         * Requires an effort.
         *
         * @param effort how hard the model should think
         * @param adaptive whether Anthropic should use adaptive thinking with this effort
         */
        public EffortLevel {
            Objects.requireNonNull(effort, "effort");
        }
    }

    /** Effort levels, from least to most reasoning. */
    enum Effort {
        /** The least reasoning the model supports. */
        MINIMAL(1024),
        /** Light reasoning. */
        LOW(2048),
        /** The usual default of reasoning models. */
        MEDIUM(8192),
        /** Thorough reasoning. */
        HIGH(16384),
        /** More than high, where the model supports it (OpenAI gpt-5.2+, Claude Opus 4.7+). */
        XHIGH(32768),
        /** As much as the model allows. */
        MAX(32768);

        private final int tokens;

        Effort(int tokens) {
            this.tokens = tokens;
        }

        /**
         * The token budget used for providers that take only budgets (Anthropic's token-based thinking,
         * Gemini 2.x): 1024, 2048, 8192, 16384, 32768, 32768.
         *
         * @return the token budget for this effort
         */
        public int tokens() {
            return tokens;
        }

        /**
         * The lower-case name used by the providers' APIs and by docker-agent ({@code xhigh}, {@code medium}, …).
         *
         * @return the lower-case name
         */
        public String wireName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * Reasoning off.
     *
     * @return the off budget
     */
    static ThinkingBudget off() {
        return new Off();
    }

    /**
     * The model decides.
     *
     * @return the dynamic budget
     */
    static ThinkingBudget dynamic() {
        return new Dynamic();
    }

    /**
     * A token budget; {@code 0} means {@link #off()} and {@code -1} {@link #dynamic()}, as in docker-agent.
     *
     * @param count the token count
     * @return the budget
     * @throws IllegalArgumentException when {@code count} is below {@code -1}
     */
    static ThinkingBudget tokens(int count) {
        if (count == 0) {
            return off();
        }
        if (count == -1) {
            return dynamic();
        }
        if (count < -1) {
            throw new IllegalArgumentException("a thinking token budget cannot be " + count
                    + " (use 0 for off, -1 for dynamic, or a positive count)");
        }
        return new Tokens(count);
    }

    /**
     * An effort level.
     *
     * @param effort the effort
     * @return the budget
     */
    static ThinkingBudget effort(Effort effort) {
        return new EffortLevel(effort, false);
    }

    /**
     * Parses docker-agent's {@code thinking_budget}: an effort level ({@code none minimal low medium high xhigh
     * max}), {@code adaptive} (the model decides), {@code adaptive/<effort>}, or a token count. Case and
     * surrounding spaces are ignored.
     *
     * @param value the text
     * @return the budget
     * @throws IllegalArgumentException naming the accepted values
     */
    static ThinkingBudget parse(String value) {
        String v = value == null ? "" : value.strip().toLowerCase(Locale.ROOT);
        if (v.matches("-?\\d+")) {
            try {
                return tokens(Integer.parseInt(v));
            } catch (NumberFormatException tooLarge) {
                throw new IllegalArgumentException("thinking budget '" + value + "' is too large");
            }
        }
        if (v.equals("none")) {
            return off();
        }
        if (v.equals("adaptive")) {
            return dynamic();
        }
        boolean adaptive = v.startsWith("adaptive/");
        String level = adaptive ? v.substring("adaptive/".length()) : v;
        for (Effort e : Effort.values()) {
            if (e.wireName().equals(level) && !(adaptive && e == Effort.MINIMAL)) {
                return new EffortLevel(e, adaptive);
            }
        }
        throw new IllegalArgumentException("unknown thinking budget '" + value + "': expected none, minimal, low, "
                + "medium, high, xhigh, max, adaptive, adaptive/<low|medium|high|xhigh|max> or a token count");
    }

    /**
     * The effort this budget amounts to, for providers that take only effort levels: an effort level is itself; a
     * token budget is the lowest effort whose {@link Effort#tokens()} covers it (capped at {@link Effort#HIGH}, the
     * highest level every reasoning model accepts); off and dynamic have none.
     *
     * @return the effort, or {@code null} for off and dynamic
     */
    default Effort effort() {
        if (this instanceof EffortLevel e) {
            return e.effort();
        }
        if (this instanceof Tokens t) {
            for (Effort e : new Effort[] {Effort.MINIMAL, Effort.LOW, Effort.MEDIUM}) {
                if (t.count() <= e.tokens()) {
                    return e;
                }
            }
            return Effort.HIGH;
        }
        return null;
    }
}

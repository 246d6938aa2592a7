package dev.keel.agents.internal;

import java.util.Locale;

/** docker-agent's fuzzy match of a search tool: every character of the query appears in the text, in order. Stateless. */
public final class FuzzyMatch {
    private FuzzyMatch() {}

    /**
     * Whether the query's characters appear in {@code text} in order, ignoring case.
     *
     * @param query the query, lower case
     * @param text  the text
     * @return whether it matches
     */
    public static boolean inOrder(String query, String text) {
        String t = text.toLowerCase(Locale.ROOT);
        int at = 0;
        for (int i = 0; i < query.length(); i++) {
            at = t.indexOf(query.charAt(i), at);
            if (at < 0) {
                return false;
            }
            at++;
        }
        return true;
    }
}

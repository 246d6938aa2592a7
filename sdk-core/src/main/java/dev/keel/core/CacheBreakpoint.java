package dev.keel.core;

/**
 * Where a provider-side prompt cache may end a cached prefix (Anthropic's {@code cache_control}). A prompt is
 * read in the order tools → system → messages, and a breakpoint caches everything up to and including its
 * position: {@link #system()} caches the tools and the system prompt, the stable prefix of an agent. A
 * request carries at most {@value ChatRequest#MAX_CACHE_BREAKPOINTS} breakpoints. Providers whose caching is
 * automatic (OpenAI) ignore them; what was read from and written to the cache comes back in {@link Usage}.
 */
public sealed interface CacheBreakpoint {

    /** After the tool definitions. */
    record Tools() implements CacheBreakpoint {}

    /** After the system prompt (and so after the tools too). */
    record System() implements CacheBreakpoint {}

    /**
     * After the message at {@code index} of the request's messages.
     *
     * @param index position in {@link ChatRequest#messages()}, 0-based
     */
    record AtMessage(int index) implements CacheBreakpoint {
        /**
         * Requires a non-negative index.
         *
         * @param index position in {@link ChatRequest#messages()}, 0-based
         */
        public AtMessage {
            if (index < 0) {
                throw new IllegalArgumentException("message index cannot be negative, was " + index);
            }
        }
    }

    /**
     * After the tool definitions.
     *
     * @return after the tool definitions
     */
    static CacheBreakpoint tools() {
        return new Tools();
    }

    /**
     * After the system prompt: caches tools and system prompt.
     *
     * @return after the system prompt: caches tools and system prompt
     */
    static CacheBreakpoint system() {
        return new System();
    }

    /**
     * After message {@code index} of the request.
     *
     * @param index the index
     * @return after message {@code index} of the request
     */
    static CacheBreakpoint atMessage(int index) {
        return new AtMessage(index);
    }
}

package dev.keel.agents;

import java.time.Duration;
import java.util.Objects;

/**
 * The limits of an agent's code mode (docker-agent's {@code code_mode_tools}). In code mode the model is given one
 * tool, {@value #TOOL}, that takes a JavaScript program; inside the program each of the agent's tools is a function
 * taking a JSON object, and the program's return value and console output come back to the model. Several tool
 * calls thus cost one model round trip.
 *
 * <p>The program runs in Mozilla Rhino (the optional dependency {@code org.mozilla:rhino}) in a separate, short-lived
 * JVM with no environment variables, a heap of {@link #maxHeapMegabytes()} and no access to any Java class: it can
 * compute and call the agent's tools, nothing else. Every tool call it makes goes through the same approvals,
 * permissions, hooks, tool guards, events, journal and tracing as a direct call; a call whose approval would suspend
 * the run is refused inside the program instead. A program that runs longer than {@link #timeLimit()} (time spent
 * in its tool calls not counted), makes more than {@link #maxToolCalls()} calls, nests deeper than
 * {@link #maxStackDepth()} or runs out of memory ends with a tool error.
 *
 * <p>Immutable and thread-safe.
 *
 * @param timeLimit         how long a program may compute, its tool calls not counted
 * @param maxToolCalls      how many tool calls one program may make
 * @param maxOutputChars    the most characters of console output and return value kept (the rest is cut, and says
 *                          so)
 * @param maxStackDepth     how deeply the program's functions may call each other
 * @param maxHeapMegabytes  the heap of the JVM that runs the program
 */
public record CodeMode(Duration timeLimit, int maxToolCalls, int maxOutputChars, int maxStackDepth,
                       int maxHeapMegabytes) {
    /** The name of the one tool a code-mode agent is given, as in docker-agent. */
    public static final String TOOL = "run_tools_with_javascript";

    /**
     * Creates the limits, checking them.
     *
     * @param timeLimit         how long a program may compute, its tool calls not counted; positive
     * @param maxToolCalls      how many tool calls one program may make; 1 or more
     * @param maxOutputChars    the most characters of console output and return value kept; 1 or more
     * @param maxStackDepth     how deeply the program's functions may call each other; 1 or more
     * @param maxHeapMegabytes  the heap of the JVM that runs the program; 16 or more
     */
    public CodeMode {
        Objects.requireNonNull(timeLimit, "timeLimit");
        if (timeLimit.isNegative() || timeLimit.isZero()) {
            throw new IllegalArgumentException("timeLimit must be positive, was " + timeLimit);
        }
        positive(maxToolCalls, "maxToolCalls");
        positive(maxOutputChars, "maxOutputChars");
        positive(maxStackDepth, "maxStackDepth");
        if (maxHeapMegabytes < 16) {
            throw new IllegalArgumentException("maxHeapMegabytes must be 16 or more, was " + maxHeapMegabytes);
        }
    }

    /**
     * The defaults: 30 seconds of computing, 50 tool calls, 64 Ki characters of output, a stack of 400 calls and a
     * 128 MB heap.
     *
     * @return the default limits
     */
    public static CodeMode defaults() {
        return new CodeMode(Duration.ofSeconds(30), 50, 64 * 1024, 400, 128);
    }

    /**
     * These limits with another time limit.
     *
     * @param limit how long a program may compute, its tool calls not counted
     * @return the changed limits
     */
    public CodeMode withTimeLimit(Duration limit) {
        return new CodeMode(limit, maxToolCalls, maxOutputChars, maxStackDepth, maxHeapMegabytes);
    }

    /**
     * These limits with another number of tool calls.
     *
     * @param calls how many tool calls one program may make
     * @return the changed limits
     */
    public CodeMode withMaxToolCalls(int calls) {
        return new CodeMode(timeLimit, calls, maxOutputChars, maxStackDepth, maxHeapMegabytes);
    }

    /**
     * These limits with another output bound.
     *
     * @param chars the most characters of console output and return value kept
     * @return the changed limits
     */
    public CodeMode withMaxOutputChars(int chars) {
        return new CodeMode(timeLimit, maxToolCalls, chars, maxStackDepth, maxHeapMegabytes);
    }

    private static void positive(int v, String what) {
        if (v < 1) {
            throw new IllegalArgumentException(what + " must be 1 or more, was " + v);
        }
    }
}

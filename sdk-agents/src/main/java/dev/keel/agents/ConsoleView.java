package dev.keel.agents;

import java.io.PrintStream;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A live, indented text view of a team at work: delegations nest under the agent that made them, tool
 * calls and their results (cut to one line) show under the agent that called them, denials and the
 * final answer are printed as they happen.
 *
 * <pre>{@code
 * runner.events().subscribe(ConsoleView.to(System.out));
 * }</pre>
 *
 * Thread-safe: lines from parallel delegations interleave but each line is printed whole.
 */
public final class ConsoleView implements AgentListener {
    private static final int WIDTH = 110;
    private final PrintStream out;
    private final boolean timings;
    private final Map<String, Integer> depth = new ConcurrentHashMap<>();

    private ConsoleView(PrintStream out, boolean timings) {
        this.out = out;
        this.timings = timings;
    }

    /**
     * A view printing to {@code out}, with each tool call's duration.
     *
     * @param out where to print
     * @return a view printing to {@code out}
     */
    public static ConsoleView to(PrintStream out) {
        return new ConsoleView(Objects.requireNonNull(out, "out"), true);
    }

    /**
     * This view with or without tool-call durations: without them, a replayed run prints exactly the
     * transcript its recording printed.
     *
     * @param show whether to print each tool call's duration
     * @return a view like this one, with or without durations
     */
    public ConsoleView timings(boolean show) {
        return new ConsoleView(out, show);
    }

    /**
     * Prints one event to standard output, for {@code runner.events().subscribe(ConsoleView::render)}.
     * Keeps no state: the nesting comes from the session id, since a delegated task's session is named
     * {@code <parent id>/<suffix>} (sessions whose own ids contain {@code /} are indented a little more).
     *
     * @param event the event to print
     */
    public static void render(AgentEvent event) {
        print(System.out, event, (int) event.sessionId().chars().filter(c -> c == '/').count(), true);
    }

    @Override
    public void onEvent(AgentEvent event) {
        int d = depth.getOrDefault(event.sessionId(), 0);
        if (event instanceof AgentEvent.DelegationStarted s) {
            depth.put(s.subSessionId(), d + 1);
        } else if (event instanceof AgentEvent.DelegationFinished f) {
            depth.remove(f.subSessionId());
        } else if (event instanceof AgentEvent.WorkflowStepStarted s) {
            depth.put(s.stepSessionId(), d + 1);
        } else if (event instanceof AgentEvent.WorkflowStepFinished f) {
            depth.remove(f.stepSessionId());
        }
        print(out, event, d, timings);
    }

    private static void print(PrintStream out, AgentEvent event, int d, boolean timings) {
        String pad = "  ".repeat(d);
        if (event instanceof AgentEvent.DelegationStarted s) {
            out.println(pad + "▶ " + s.agent() + " → " + s.subAgent() + ": " + oneLine(s.task()));
        } else if (event instanceof AgentEvent.DelegationFinished f) {
            out.println(pad + "◀ " + f.subAgent() + (f.error() ? " failed: " : " answered: ") + oneLine(f.result()));
        } else if (event instanceof AgentEvent.WorkflowStepStarted s) {
            out.println(pad + "▷ " + s.agent() + " step " + s.step() + (s.iteration() > 1 ? " (pass " + s.iteration() + ")" : ""));
        } else if (event instanceof AgentEvent.WorkflowStepFinished f) {
            out.println(pad + "◁ " + f.step() + (f.error() ? " failed: " : " answered: ") + oneLine(f.output())
                    + " (" + f.usage().totalTokens() + " tokens)");
        } else if (event instanceof AgentEvent.HandedOff h) {
            out.println(pad + "⇄ " + h.agent() + " hands off to " + h.toAgent());
        } else if (event instanceof AgentEvent.ToolCallRequested r && !isBuiltin(r.call().name())) {
            out.println(pad + "  [" + r.agent() + "] " + r.call().name() + " " + oneLine(r.call().arguments()));
        } else if (event instanceof AgentEvent.ToolCallDenied denied) {
            out.println(pad + "  [" + denied.agent() + "] denied: " + denied.reason());
        } else if (event instanceof AgentEvent.ToolCallFinished f && !isBuiltin(f.call().name())) {
            out.println(pad + "    = " + (f.error() ? "error: " : "") + oneLine(f.result())
                    + (timings ? " (" + f.duration().toMillis() + " ms)" : ""));
        } else if (event instanceof AgentEvent.SessionCompacted c) {
            out.println(pad + "  [" + c.agent() + "] compacted " + c.compactedMessages() + " messages, saved "
                    + c.tokensSaved() + " tokens");
        } else if (event instanceof AgentEvent.CompactionFailed f) {
            out.println(pad + "  [" + f.agent() + "] compaction failed: " + f.message());
        } else if (event instanceof AgentEvent.MaxIterationsReached m) {
            out.println(pad + "  [" + m.agent() + "] stopped at " + m.maxIterations() + " iterations");
        } else if (event instanceof AgentEvent.RunCompleted c) {
            out.println();
            out.println(c.agent() + " finished after " + c.result().iterations() + " model calls, "
                    + c.result().usage().totalTokens() + " tokens:");
            out.println(c.result().output());
        } else if (event instanceof AgentEvent.RunFailed f) {
            out.println();
            out.println("Run failed: " + f.message());
        }
    }

    private static boolean isBuiltin(String tool) {
        return tool.equals(TeamTools.TRANSFER_TASK) || tool.equals(TeamTools.HANDOFF);
    }

    private static String oneLine(String s) {
        String flat = s.replace('\n', ' ').strip();
        return flat.length() > WIDTH ? flat.substring(0, WIDTH) + "…" : flat;
    }

    @Override
    public String toString() {
        return timings ? "ConsoleView" : "ConsoleView[no timings]";
    }
}

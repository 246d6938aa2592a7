package dev.keel.agents;

import java.util.Objects;

/**
 * A replayed run left its recording: a model request, tool call or other step that the recording does not
 * have. Names the first point where that happened — agent, session, turn and call — with what the recording
 * holds there, what the run did now, and a line diff between the two. Every later step of the run fails with
 * this same exception, so the first divergence is the one reported even when parallel work diverges too.
 */
public final class RecordingDivergenceException extends AgentException {
    private static final long serialVersionUID = 1L;
    /** The agent whose step left the recording. */
    private final String agent;
    /** The label of its session. */
    private final String session;
    /** The turn (model call count) in that session. */
    private final int turn;
    /** The call index within the turn, or -1 for a model call. */
    private final int call;
    /** What differed, in words. */
    private final String step;
    /** The recorded step, on one line. */
    private final String recorded;
    /** The step the run made now, on one line. */
    private final String now;
    /** A line diff from the recorded step to the live one. */
    private final String diff;

    RecordingDivergenceException(String file, String agent, String session, int turn, int call, String step,
                                 String recorded, String now, String diff) {
        super(message(file, agent, session, turn, call, step, recorded, now, diff));
        this.agent = Objects.requireNonNull(agent, "agent");
        this.session = Objects.requireNonNull(session, "session");
        this.turn = turn;
        this.call = call;
        this.step = Objects.requireNonNull(step, "step");
        this.recorded = Objects.requireNonNull(recorded, "recorded");
        this.now = Objects.requireNonNull(now, "now");
        this.diff = Objects.requireNonNull(diff, "diff");
    }

    private static String message(String file, String agent, String session, int turn, int call, String step,
                                  String recorded, String now, String diff) {
        StringBuilder sb = new StringBuilder("the run left the recording ").append(file).append(" at agent '")
                .append(agent).append("', turn ").append(turn);
        if (call >= 0) {
            sb.append(", call ").append(call);
        }
        sb.append(" (session ").append(session).append("): ").append(step).append('\n');
        sb.append("  recorded: ").append(recorded).append('\n');
        sb.append("  now:      ").append(now).append('\n');
        if (!diff.isEmpty()) {
            sb.append("--- recorded\n+++ now\n").append(diff);
        }
        return sb.toString().stripTrailing();
    }

    /**
     * The agent whose step left the recording.
     *
     * @return the agent whose step left the recording
     */
    public String agent() {
        return agent;
    }

    /**
     * The session's label ({@code s1}, {@code s1/2.0:engineer}, …).
     *
     * @return the session's label ({@code s1}, {@code s1/2.0:engineer}, …)
     */
    public String session() {
        return session;
    }

    /**
     * The turn (model call of that session, from 0).
     *
     * @return the turn (model call of that session, from 0)
     */
    public int turn() {
        return turn;
    }

    /**
     * The tool call's index in its turn, or -1 for a model call or handoff.
     *
     * @return the tool call's index in its turn, or -1 for a model call or handoff
     */
    public int call() {
        return call;
    }

    /**
     * What kind of step diverged and how, for example {@code the model request differs}.
     *
     * @return what kind of step diverged and how, for example {@code the model request differs}
     */
    public String step() {
        return step;
    }

    /**
     * A one-line summary of what the recording holds at that point.
     *
     * @return a one-line summary of what the recording holds at that point
     */
    public String recorded() {
        return recorded;
    }

    /**
     * A one-line summary of what the run did now.
     *
     * @return a one-line summary of what the run did now
     */
    public String now() {
        return now;
    }

    /**
     * The line diff from the recorded step to the live one (empty when there is nothing to compare).
     *
     * @return the line diff from the recorded step to the live one (empty when there is nothing to compare)
     */
    public String diff() {
        return diff;
    }
}

package dev.keel.agents;

import dev.keel.agents.StepInterceptor.Position;
import dev.keel.agents.StepInterceptor.RecallStep;
import dev.keel.agents.StepInterceptor.Recalled;
import dev.keel.agents.internal.Secrets;
import dev.keel.agents.internal.ToonToolset;
import dev.keel.agents.tool.Toolset;
import dev.keel.agents.toolsets.BackgroundJobsToolset;
import dev.keel.agents.toolsets.SchedulerToolset;
import dev.keel.core.message.Message;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Messages that reach a session between its model calls, from toolsets that work while the agent does not: the
 * background jobs of {@code background_jobs} toolsets started with {@code recall: true} that ended, and the schedules
 * of {@code scheduler} toolsets that came due. Each is told to its session as a user message added before the
 * session's next model call (docker-agent steers its loop with them the same way); one that arrives while the model
 * gives its final answer makes the run go on, one that arrives after the run returned is told at the start of the
 * session's next run: the run never waits. Every toolset of every agent is asked, so a recall reaches the session after
 * a handoff too; a recall of a delegated session that has ended reaches the session it was delegated from. The
 * scheduler is also told when a run of a session starts and ends, so that it wakes the host for a session no run is
 * active for. Immutable; the toolsets it asks are thread-safe.
 */
final class Recalls {
    /** One toolset whose messages reach sessions between model calls. */
    private interface Source {
        List<Recalled> take(String agent, String sessionId);

        default void runStarted(String sessionId) {}

        default void runEnded(String sessionId) {}
    }

    private final List<Source> sources;

    private Recalls(List<Source> sources) {
        this.sources = sources;
    }

    /** The background jobs and scheduler toolsets of {@code agents}, each once. */
    static Recalls of(Iterable<Agent> agents) {
        Map<Toolset, Boolean> seen = new IdentityHashMap<>();
        List<Source> found = new ArrayList<>();
        for (Agent a : agents) {
            for (Toolset t : a.toolsets()) {
                Toolset inner = ToonToolset.innermost(t);
                if (seen.put(inner, Boolean.TRUE) != null) {
                    continue;
                }
                if (inner instanceof BackgroundJobsToolset jobs) {
                    found.add((agent, sessionId) -> jobs.takeRecalls(sessionId).stream().map(r -> new Recalled(
                            r.message(), new AgentEvent.BackgroundJobRecalled(agent, sessionId, r.jobId(),
                                    Secrets.redact(r.command()), r.state(), r.exitCode()))).toList());
                } else if (inner instanceof SchedulerToolset scheduler) {
                    found.add(new Source() {
                        @Override
                        public List<Recalled> take(String agent, String sessionId) {
                            return scheduler.takeFires(sessionId).stream().map(f -> new Recalled(f.message(),
                                    new AgentEvent.ScheduleFired(agent, sessionId, f.scheduleId(),
                                            Secrets.redact(f.name()), f.dueAt()))).toList();
                        }

                        @Override
                        public void runStarted(String sessionId) {
                            scheduler.runStarted(sessionId);
                        }

                        @Override
                        public void runEnded(String sessionId) {
                            scheduler.runEnded(sessionId);
                        }
                    });
                }
            }
        }
        return new Recalls(List.copyOf(found));
    }

    /**
     * Adds the messages waiting for {@code session} to it as user messages, each with its event
     * ({@link AgentEvent.BackgroundJobRecalled}, {@link AgentEvent.ScheduleFired}), through the runner's
     * {@link StepInterceptor#recalls} seam (a recording records them there, a replay tells the recorded ones
     * instead). {@code afterAnswer}: the model just gave what would be its final answer. Returns how many were added.
     */
    int deliver(AgentLoop loop, Steps steps, Position at, Session session, boolean afterAnswer) {
        List<Recalled> told = steps.recalls(new RecallStep(at, afterAnswer), () -> take(at.agent(), session.id()));
        for (Recalled r : told) {
            session.append(Message.user(r.message()));
            loop.emit(r.event());
        }
        return told.size();
    }

    /** Takes what the toolsets hold for {@code sessionId}, told by {@code agent}. */
    private List<Recalled> take(String agent, String sessionId) {
        List<Recalled> all = new ArrayList<>();
        for (Source source : sources) {
            all.addAll(source.take(agent, sessionId));
        }
        return all;
    }

    /** A run of the top-level session {@code sessionId} started. */
    void runStarted(String sessionId) {
        sources.forEach(s -> s.runStarted(sessionId));
    }

    /** A run of the top-level session {@code sessionId} ended (returned, failed or suspended). */
    void runEnded(String sessionId) {
        sources.forEach(s -> s.runEnded(sessionId));
    }

    @Override
    public String toString() {
        return "Recalls[" + sources.size() + " toolsets]";
    }
}

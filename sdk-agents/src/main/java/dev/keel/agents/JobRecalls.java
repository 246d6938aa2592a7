package dev.keel.agents;

import dev.keel.agents.internal.ToonToolset;
import dev.keel.agents.tool.Toolset;
import dev.keel.agents.toolsets.BackgroundJobsToolset;
import dev.keel.core.message.Message;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * docker-agent's background job recall: the jobs of the team's {@code background_jobs} toolsets that were started
 * with {@code recall: true} and ended are told to the session that started them, as user messages added before the
 * session's next model call (docker-agent steers its loop with them the same way). A job that ends after the run
 * returned is told at the start of the session's next run: the run never waits for a job. Every toolset of every
 * agent is asked, so a recall reaches the session after a handoff too; a recall of a delegated session that has ended
 * reaches the session it was delegated from. Immutable; the toolsets it asks are thread-safe.
 */
final class JobRecalls {
    private final List<BackgroundJobsToolset> toolsets;

    private JobRecalls(List<BackgroundJobsToolset> toolsets) {
        this.toolsets = toolsets;
    }

    /** The background jobs toolsets of {@code agents}, each once. */
    static JobRecalls of(Iterable<Agent> agents) {
        Map<Toolset, Boolean> seen = new IdentityHashMap<>();
        List<BackgroundJobsToolset> found = new ArrayList<>();
        for (Agent a : agents) {
            for (Toolset t : a.toolsets()) {
                if (ToonToolset.innermost(t) instanceof BackgroundJobsToolset jobs && seen.put(jobs, Boolean.TRUE) == null) {
                    found.add(jobs);
                }
            }
        }
        return new JobRecalls(List.copyOf(found));
    }

    /**
     * Adds the recalls waiting for {@code session} to it as user messages, each with a
     * {@link AgentEvent.BackgroundJobRecalled} event. Returns how many were added.
     */
    int deliver(AgentLoop loop, Agent agent, Session session) {
        int added = 0;
        for (BackgroundJobsToolset jobs : toolsets) {
            for (BackgroundJobsToolset.Recall r : jobs.takeRecalls(session.id())) {
                session.append(Message.user(r.message()));
                loop.emit(new AgentEvent.BackgroundJobRecalled(agent.name(), session.id(), r.jobId(),
                        dev.keel.agents.internal.Secrets.redact(r.command()), r.state(), r.exitCode()));
                added++;
            }
        }
        return added;
    }

    @Override
    public String toString() {
        return "JobRecalls[" + toolsets.size() + " toolsets]";
    }
}

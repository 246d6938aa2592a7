package dev.keel.agents;

import dev.keel.core.Usage;
import dev.keel.core.message.Message;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.IntFunction;

/**
 * Runs a workflow agent ({@link Agent#workflow()}) inside an {@link AgentLoop}: each step in a forked session of
 * its own, with the input and the outputs of the steps before it; parallel branches on the runner's executor.
 * Step events, usage and failures are reported as {@link Workflow} documents. One instance per workflow run.
 */
final class WorkflowRun {
    private final AgentLoop loop;
    private final RunSettings settings;
    private final Agent workflowAgent;
    private final Session session;

    private WorkflowRun(AgentLoop loop, RunSettings settings, Agent workflowAgent, Session session) {
        this.loop = loop;
        this.settings = settings;
        this.workflowAgent = workflowAgent;
        this.session = session;
    }

    /** What a workflow's steps came to. */
    private record Outcome(String output, AgentResult.StopReason reason, int passes, List<AgentResult> steps) {}

    /**
     * Runs {@code agent}'s workflow on the session's latest user message; its output is appended to the session as
     * the assistant's answer. {@code exit} is the enclosing loop's exit, or {@code null}.
     */
    static AgentResult run(AgentLoop loop, RunSettings settings, Agent agent, Session session, Usage before,
                           LoopExit exit) {
        WorkflowRun run = new WorkflowRun(loop, settings, agent, session);
        String input = RunHooks.lastUser(session);
        Workflow workflow = agent.workflow().orElseThrow();
        Outcome o;
        if (workflow instanceof Workflow.Sequential s) {
            o = run.sequential(input, s.steps(), exit);
        } else if (workflow instanceof Workflow.Parallel p) {
            o = run.parallel(input, p, exit);
        } else {
            o = run.loop(input, (Workflow.Loop) workflow);
        }
        session.append(Message.assistant(o.output()));
        return new AgentResult(o.output(), agent.name(), o.reason(), o.passes(), session.usage().minus(before), session,
                null, o.steps());
    }

    private Outcome sequential(String input, List<Agent> steps, LoopExit exit) {
        Map<String, String> outputs = new HashMap<>();
        List<AgentResult> results = new ArrayList<>();
        String last = "";
        for (Agent step : steps) {
            AgentResult r = step(step, compose(input, steps, outputs), 1, exit);
            results.add(r);
            remember(outputs, step, r);
            last = r.output();
            if (exit != null && exit.requested()) {
                break;
            }
        }
        return new Outcome(last, AgentResult.StopReason.COMPLETED, 1, results);
    }

    private Outcome loop(String input, Workflow.Loop workflow) {
        LoopExit exit = new LoopExit(workflow.exitTool());
        List<Agent> steps = workflow.steps();
        Map<String, String> outputs = new HashMap<>();
        List<AgentResult> results = new ArrayList<>();
        String latest = "";
        for (int pass = 1; pass <= workflow.maxIterations(); pass++) {
            for (Agent step : steps) {
                AgentResult r = step(step, compose(input, steps, outputs), pass, exit);
                results.add(r);
                remember(outputs, step, r);
                if (!r.output().isBlank()) {
                    latest = r.output();
                }
                if (exit.requested()) {
                    return new Outcome(outputs.getOrDefault(step.name(), latest), AgentResult.StopReason.COMPLETED,
                            pass, results);
                }
            }
        }
        loop.emit(new AgentEvent.MaxIterationsReached(workflowAgent.name(), session.id(), workflow.maxIterations()));
        String ender = steps.get(steps.size() - 1).name();
        return new Outcome(outputs.getOrDefault(ender, latest), AgentResult.StopReason.MAX_ITERATIONS,
                workflow.maxIterations(), results);
    }

    private Outcome parallel(String input, Workflow.Parallel workflow, LoopExit exit) {
        List<Agent> branches = workflow.steps();
        AgentResult[] results = new Branches(branches.size()).run(i -> step(branches.get(i), input, 1, exit));
        Map<String, String> outputs = new HashMap<>();
        List<AgentResult> all = new ArrayList<>(List.of(results));
        for (int i = 0; i < branches.size(); i++) {
            remember(outputs, branches.get(i), results[i]);
        }
        Agent join = workflow.join();
        if (join == null || (exit != null && exit.requested())) {
            return new Outcome(compose("", branches, outputs), AgentResult.StopReason.COMPLETED, 1, all);
        }
        AgentResult joined = step(join, compose(input, branches, outputs), 1, exit);
        all.add(joined);
        return new Outcome(joined.output(), AgentResult.StopReason.COMPLETED, 1, all);
    }

    /**
     * The branches of one parallel run on the runner's executor. The first failure, in the order they happen, stops
     * the others (their threads are interrupted) and is thrown once every branch that started has ended, so no
     * branch event follows the workflow's end; a cancelled run does the same.
     */
    private final class Branches {
        private final int count;
        private final Thread[] threads;
        private final BlockingQueue<Done> done = new LinkedBlockingQueue<>();
        private final CountDownLatch ended;
        private boolean stopping;

        private record Done(int index, AgentResult result, RuntimeException failure) {}

        Branches(int count) {
            this.count = count;
            this.threads = new Thread[count];
            this.ended = new CountDownLatch(count);
        }

        AgentResult[] run(IntFunction<AgentResult> branch) {
            AgentResult[] results = new AgentResult[count];
            for (int i = 0; i < count; i++) {
                int index = i;
                try {
                    settings.executor().execute(() -> runBranch(index, branch));
                } catch (RejectedExecutionException e) {
                    for (int k = index; k < count; k++) {
                        ended.countDown();
                    }
                    stop();
                    throw new AgentException("runner is closed", e);
                }
            }
            for (int k = 0; k < count; k++) {
                Done d;
                try {
                    d = done.take();
                } catch (InterruptedException e) {
                    stop();
                    Thread.currentThread().interrupt();
                    throw new AgentException.Cancelled("run cancelled");
                }
                if (d.failure() != null) {
                    stop();
                    throw d.failure();
                }
                results[d.index()] = d.result();
            }
            return results;
        }

        private void runBranch(int index, IntFunction<AgentResult> branch) {
            synchronized (this) {
                if (stopping) {
                    ended.countDown();
                    return;
                }
                threads[index] = Thread.currentThread();
            }
            try {
                done.add(new Done(index, branch.apply(index), null));
            } catch (RuntimeException e) {
                done.add(new Done(index, null, e));
            } catch (Error e) {
                done.add(new Done(index, null, new AgentException("branch failed: " + e, e)));
                throw e;
            } finally {
                synchronized (this) {
                    threads[index] = null;
                }
                ended.countDown();
            }
        }

        /** Interrupts the branches still running and waits for every started branch to end. */
        private void stop() {
            synchronized (this) {
                stopping = true;
                for (Thread t : threads) {
                    if (t != null) {
                        t.interrupt();
                    }
                }
            }
            boolean interrupted = Thread.interrupted();
            while (true) {
                try {
                    ended.await();
                    break;
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Runs one step in a session of its own; its usage counts for the workflow's session. */
    private AgentResult step(Agent step, String input, int iteration, LoopExit exit) {
        loop.checkCancelled();
        Session child = session.fork();
        child.currentAgent(step.name());
        child.append(Message.user(input));
        String name = workflowAgent.name();
        loop.emit(new AgentEvent.WorkflowStepStarted(name, session.id(), step.name(), child.id(), iteration, input));
        try {
            AgentResult r = loop.loop(step, child, Usage.ZERO, "", exit);
            loop.emit(new AgentEvent.WorkflowStepFinished(name, session.id(), step.name(), child.id(), iteration,
                    r.output(), r.usage(), false));
            return r;
        } catch (AgentException.Cancelled e) {
            loop.emit(new AgentEvent.WorkflowStepFinished(name, session.id(), step.name(), child.id(), iteration,
                    "cancelled: " + e.getMessage(), child.usage(), true));
            throw e;
        } catch (Suspension e) {
            // A step works in a session of its own that no journal keeps, so its run could not be resumed: the run
            // fails before the call is made, rather than suspending into something resume cannot continue.
            String why = "step '" + step.name() + "' of workflow agent '" + name + "' asks for a decision on tool '"
                    + e.pending().call().name() + "', and runs of workflow agents cannot suspend yet; the call was "
                    + "not made. Give the runner an approver that answers (Runner.Builder.approver)";
            loop.emit(new AgentEvent.WorkflowStepFinished(name, session.id(), step.name(), child.id(), iteration, why,
                    child.usage(), true));
            throw new WorkflowStepException(name, step.name(), iteration, new AgentException(why));
        } catch (RuntimeException e) {
            loop.emit(new AgentEvent.WorkflowStepFinished(name, session.id(), step.name(), child.id(), iteration,
                    String.valueOf(e.getMessage()), child.usage(), true));
            throw new WorkflowStepException(name, step.name(), iteration, e);
        } finally {
            session.addUsage(child.usage(), child.cost().isPresent() ? child.cost().getAsDouble() : null);
        }
    }

    /** Keeps a step's latest answer; a blank answer (a bare call of a loop's exit tool) keeps the one before. */
    private static void remember(Map<String, String> outputs, Agent step, AgentResult r) {
        if (!r.output().isBlank()) {
            outputs.put(step.name(), r.output());
        }
    }

    /** The input, then the latest output of each step in declaration order, each in an {@code <output>} element. */
    static String compose(String input, List<Agent> steps, Map<String, String> outputs) {
        StringBuilder sb = new StringBuilder(input == null ? "" : input.strip());
        LinkedHashMap<String, String> ordered = new LinkedHashMap<>();
        for (Agent step : steps) {
            String out = outputs.get(step.name());
            if (out != null) {
                ordered.putIfAbsent(step.name(), out);
            }
        }
        for (Map.Entry<String, String> e : ordered.entrySet()) {
            if (sb.length() > 0) {
                sb.append("\n\n");
            }
            sb.append("<output agent=\"").append(e.getKey()).append("\">\n").append(e.getValue().strip())
                    .append("\n</output>");
        }
        return sb.toString();
    }

    @Override
    public String toString() {
        return "WorkflowRun[" + workflowAgent.name() + " in " + session.id() + "]";
    }
}

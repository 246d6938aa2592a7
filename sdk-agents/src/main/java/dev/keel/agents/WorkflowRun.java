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
    private final WorkflowProgress progress;

    private WorkflowRun(AgentLoop loop, RunSettings settings, Agent workflowAgent, Session session,
                        WorkflowProgress progress) {
        this.loop = loop;
        this.settings = settings;
        this.workflowAgent = workflowAgent;
        this.session = session;
        this.progress = progress;
    }

    /** What a workflow's steps came to. */
    private record Outcome(String output, AgentResult.StopReason reason, int passes, List<AgentResult> steps) {}

    /**
     * Runs {@code agent}'s workflow on the session's latest user message; its output is appended to the session as
     * the assistant's answer. {@code exit} is the enclosing loop's exit, or {@code null}. When the session holds the
     * progress of a run of this workflow that stopped (it suspended at an approval, or its process died), the run
     * goes on from there: finished steps are not run again, and the step that stopped continues in its own session.
     */
    static AgentResult run(AgentLoop loop, RunSettings settings, Agent agent, Session session, Usage before,
                           LoopExit exit) {
        Workflow workflow = agent.workflow().orElseThrow();
        WorkflowProgress progress = session.workflowProgress();
        if (progress == null) {
            progress = new WorkflowProgress(agent.name());
            session.workflowProgress(progress);
        } else {
            String problem = problem(progress, agent);
            if (problem != null) {
                throw new AgentException(invalid(session, problem));
            }
        }
        WorkflowRun run = new WorkflowRun(loop, settings, agent, session, progress);
        String input = RunHooks.lastUser(session);
        Outcome o;
        try {
            if (workflow instanceof Workflow.Sequential s) {
                o = run.sequential(input, s.steps(), exit);
            } else if (workflow instanceof Workflow.Parallel p) {
                o = run.parallel(input, p, exit);
            } else {
                o = run.loop(input, (Workflow.Loop) workflow);
            }
        } catch (Suspension s) {
            throw s; // the progress stays, for the resume
        } catch (RuntimeException e) {
            // The workflow failed: nothing of it is continued later, and the session takes new input again.
            session.workflowProgress(null);
            try {
                session.checkpoint();
            } catch (RuntimeException saving) {
                e.addSuppressed(saving);
            }
            throw e;
        }
        session.workflowProgress(null);
        session.append(Message.assistant(o.output()));
        return new AgentResult(o.output(), agent.name(), o.reason(), o.passes(), session.usage().minus(before), session,
                null, o.steps());
    }

    private static String invalid(Session session, String problem) {
        return "the stored progress of the workflow in session " + session.id() + " is invalid: " + problem
                + "; nothing ran";
    }

    /**
     * What is wrong with the workflow progress stored in {@code session} or in the sessions of its delegations and
     * workflow steps (at any depth), measured against the agents {@code agents} names; null when nothing is. A
     * resume checks this before it records a decision, so a tampered session runs nothing.
     */
    static String check(Session session, java.util.function.Function<String, Agent> agents) {
        WorkflowProgress p = session.workflowProgress();
        List<Session> inside = new ArrayList<>(session.delegationSessions());
        if (p != null) {
            Agent agent = agents.apply(p.agent());
            String problem = agent == null ? "it names agent '" + p.agent() + "', which this runner does not have"
                    : problem(p, agent);
            if (problem != null) {
                return invalid(session, problem);
            }
            inside.addAll(p.running().values());
        }
        for (Session child : inside) {
            String problem = check(child, agents);
            if (problem != null) {
                return problem;
            }
        }
        return null;
    }

    /** What is wrong with {@code p} as the progress of {@code agent}'s workflow, or null. */
    private static String problem(WorkflowProgress p, Agent agent) {
        if (!p.agent().equals(agent.name())) {
            return "it belongs to agent '" + p.agent() + "', not to '" + agent.name() + "'";
        }
        if (agent.workflow().isEmpty()) {
            return "agent '" + agent.name() + "' has no workflow";
        }
        Workflow w = agent.workflow().get();
        int count = w.agents().size();
        int passes = w instanceof Workflow.Loop l ? l.maxIterations() : 1;
        if (p.pass() < 1 || p.pass() > passes) {
            return "pass " + p.pass() + " is out of range (1.." + passes + ")";
        }
        java.util.Set<Integer> done = new java.util.HashSet<>();
        int inPass = 0;
        for (WorkflowProgress.Finished f : p.finished()) {
            if (f.index() >= count) {
                return "finished step index " + f.index() + " is out of range (" + count + " steps)";
            }
            if (f.pass() < 1 || f.pass() > p.pass()) {
                return "a step finished in pass " + f.pass() + ", while the run is in pass " + p.pass();
            }
            if (f.pass() == p.pass()) {
                if (!done.add(f.index()) || (!(w instanceof Workflow.Parallel) && f.index() != inPass)) {
                    return "step " + f.index() + " finished out of order";
                }
                inPass++;
            }
        }
        Map<Integer, Session> running = p.running();
        for (int i : running.keySet()) {
            if (i >= count) {
                return "running step index " + i + " is out of range (" + count + " steps)";
            }
            if (done.contains(i)) {
                return "step " + i + " is both finished and running";
            }
        }
        if (w instanceof Workflow.Parallel par) {
            int branches = par.steps().size();
            if (par.join() != null && running.containsKey(branches) && done.size() - (done.contains(branches) ? 1 : 0)
                    < branches) {
                return "the join runs before every branch finished";
            }
        } else if (running.size() > 1 || (running.size() == 1 && !running.containsKey(inPass))) {
            return "running step " + running.keySet() + " is not the next one (" + inPass + ")";
        }
        return null;
    }

    private Outcome sequential(String input, List<Agent> steps, LoopExit exit) {
        Map<String, String> outputs = new HashMap<>();
        List<AgentResult> results = new ArrayList<>();
        String last = "";
        for (WorkflowProgress.Finished f : progress.finished()) {
            results.add(f.result());
            remember(outputs, steps.get(f.index()), f.result());
            last = f.result().output();
        }
        if (exitRequestedEarlier(exit)) {
            return new Outcome(last, AgentResult.StopReason.COMPLETED, 1, results);
        }
        for (int i = results.size(); i < steps.size(); i++) {
            Agent step = steps.get(i);
            AgentResult r = step(i, step, compose(input, steps, outputs), 1, exit);
            results.add(r);
            remember(outputs, step, r);
            last = r.output();
            if (exit != null && exit.requested()) {
                break;
            }
        }
        return new Outcome(last, AgentResult.StopReason.COMPLETED, 1, results);
    }

    /** Whether a step that finished before the run stopped asked for the enclosing loop's exit (then it is set). */
    private boolean exitRequestedEarlier(LoopExit exit) {
        if (exit != null && progress.exitRequested()) {
            exit.request("a step that finished before the run stopped");
            return true;
        }
        return false;
    }

    private Outcome loop(String input, Workflow.Loop workflow) {
        LoopExit exit = new LoopExit(workflow.exitTool());
        List<Agent> steps = workflow.steps();
        Map<String, String> outputs = new HashMap<>();
        List<AgentResult> results = new ArrayList<>();
        String latest = "";
        int first = progress.pass();
        int doneInPass = 0;
        WorkflowProgress.Finished lastDone = null;
        for (WorkflowProgress.Finished f : progress.finished()) {
            results.add(f.result());
            remember(outputs, steps.get(f.index()), f.result());
            if (!f.result().output().isBlank()) {
                latest = f.result().output();
            }
            doneInPass += f.pass() == first ? 1 : 0;
            lastDone = f;
        }
        if (lastDone != null && exitRequestedEarlier(exit)) {
            return new Outcome(outputs.getOrDefault(steps.get(lastDone.index()).name(), latest),
                    AgentResult.StopReason.COMPLETED, lastDone.pass(), results);
        }
        for (int pass = first; pass <= workflow.maxIterations(); pass++) {
            progress.pass(pass);
            for (int i = pass == first ? doneInPass : 0; i < steps.size(); i++) {
                Agent step = steps.get(i);
                AgentResult r = step(i, step, compose(input, steps, outputs), pass, exit);
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
        AgentResult[] results = new AgentResult[branches.size()];
        AgentResult joined = null;
        for (WorkflowProgress.Finished f : progress.finished()) {
            if (f.index() < branches.size()) {
                results[f.index()] = f.result();
            } else {
                joined = f.result();
            }
        }
        exitRequestedEarlier(exit);
        List<Integer> todo = new ArrayList<>();
        for (int i = 0; i < branches.size(); i++) {
            if (results[i] == null) {
                todo.add(i);
            }
        }
        if (!todo.isEmpty()) {
            AgentResult[] ran = new Branches(todo.size()).run(k -> step(todo.get(k), branches.get(todo.get(k)), input,
                    1, exit));
            for (int k = 0; k < todo.size(); k++) {
                results[todo.get(k)] = ran[k];
            }
        }
        Map<String, String> outputs = new HashMap<>();
        List<AgentResult> all = new ArrayList<>(List.of(results));
        for (int i = 0; i < branches.size(); i++) {
            remember(outputs, branches.get(i), results[i]);
        }
        Agent join = workflow.join();
        if (join == null || (exit != null && exit.requested())) {
            return new Outcome(compose("", branches, outputs), AgentResult.StopReason.COMPLETED, 1, all);
        }
        if (joined == null) {
            joined = step(branches.size(), join, compose(input, branches, outputs), 1, exit);
        }
        all.add(joined);
        return new Outcome(joined.output(), AgentResult.StopReason.COMPLETED, 1, all);
    }

    /**
     * The branches of one parallel run on the runner's executor. The first failure, in the order they happen, stops
     * the others (their threads are interrupted) and is thrown once every branch that started has ended, so no
     * branch event follows the workflow's end; a cancelled run does the same. A branch that suspends does not stop
     * the others: they finish first (their results are recorded in the progress), then the run suspends.
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
            Suspension suspension = null;
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
                if (d.failure() instanceof Suspension s) {
                    // The other branches finish (and are recorded) first, as parallel delegations do.
                    suspension = suspension == null ? s : suspension;
                    continue;
                }
                if (d.failure() != null) {
                    stop();
                    throw d.failure();
                }
                results[d.index()] = d.result();
            }
            if (suspension != null) {
                throw suspension;
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

    /**
     * Runs step {@code index} of the workflow in a session of its own, kept in the workflow's progress until the step
     * finishes: a step the run stopped in (a suspension, a crash) continues in that session, its turn in flight
     * finished from the session's journal. Its usage counts for the workflow's session once it finishes.
     */
    private AgentResult step(int index, Agent step, String input, int iteration, LoopExit exit) {
        loop.checkCancelled();
        Session child = progress.start(index, session::fork);
        boolean resumed = !child.messages().isEmpty();
        if (!resumed) {
            child.currentAgent(step.name());
            child.append(Message.user(input));
        }
        Agent runs = resumed ? child.currentAgent().map(loop::agent).orElse(step) : step;
        String name = workflowAgent.name();
        loop.emit(new AgentEvent.WorkflowStepStarted(name, session.id(), step.name(), child.id(), iteration,
                resumed ? RunHooks.lastUser(child) : input));
        AgentResult r;
        try {
            r = loop.loop(runs, child, Usage.ZERO, "", exit);
        } catch (Suspension e) {
            throw e; // the step goes on in its session when the run resumes; its usage counts then
        } catch (AgentException.Cancelled e) {
            addUsage(child);
            loop.emit(new AgentEvent.WorkflowStepFinished(name, session.id(), step.name(), child.id(), iteration,
                    "cancelled: " + e.getMessage(), child.usage(), true));
            throw e;
        } catch (RuntimeException e) {
            addUsage(child);
            loop.emit(new AgentEvent.WorkflowStepFinished(name, session.id(), step.name(), child.id(), iteration,
                    String.valueOf(e.getMessage()), child.usage(), true));
            throw new WorkflowStepException(name, step.name(), iteration, e);
        }
        addUsage(child);
        progress.finish(index, r, exit != null && exit.requested());
        session.checkpoint(); // saved: a finished step never runs again
        loop.emit(new AgentEvent.WorkflowStepFinished(name, session.id(), step.name(), child.id(), iteration,
                r.output(), r.usage(), false));
        return r;
    }

    private void addUsage(Session child) {
        session.addUsage(child.usage(), child.cost().isPresent() ? child.cost().getAsDouble() : null);
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

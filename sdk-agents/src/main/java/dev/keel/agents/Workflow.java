package dev.keel.agents;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * How a workflow agent runs other agents, in code rather than by a model's choice: one after another
 * ({@link Sequential}), side by side ({@link Parallel}) or round and round ({@link Loop}). A workflow is given to
 * an agent with {@link Agent.Builder#workflow}; that agent has no model of its own and is a member of a team like
 * any other: a runner's root, a {@code transfer_task} sub-agent, or a step of another workflow (nesting).
 *
 * <pre>{@code
 * Agent research = Agent.builder("research")
 *         .workflow(Workflow.parallel(web, papers).join(summarizer))
 *         .build();
 * Agent refine = Agent.builder("refine")
 *         .workflow(Workflow.loop(critic, editor).maxIterations(3))
 *         .build();
 * Agent pipeline = Agent.builder("pipeline")
 *         .description("Researches, drafts, then refines an article")
 *         .workflow(Workflow.sequential(research, writer, refine))
 *         .build();
 * }</pre>
 *
 * <p>What every step sees: each step runs in a session of its own (no history of the others), as a
 * {@code transfer_task} does. Its one user message is the workflow's input followed by the latest output of every
 * step of the same workflow that has run so far, each in an {@code <output agent="name">} element, in the order
 * the steps are declared. The parallel workflow's branches all get the workflow's input; its join gets the input
 * and every branch's output. Usage of every step counts for the run ({@link AgentResult#usage()}), and each step's
 * own result, usage included, is in {@link AgentResult#steps()}.
 *
 * <p>The hierarchy is closed; the values are immutable and thread-safe.
 */
public sealed interface Workflow permits Workflow.Sequential, Workflow.Parallel, Workflow.Loop {

    /** Default pass limit of a {@link Loop}. */
    int DEFAULT_MAX_ITERATIONS = 10;

    /** Default name of the tool with which a step ends a {@link Loop}. */
    String DEFAULT_EXIT_TOOL = "exit_loop";

    /**
     * The agents the workflow runs, in declaration order (for {@link Parallel}, the branches; its join is
     * {@link Parallel#join()}).
     *
     * @return the steps
     */
    List<Agent> steps();

    /**
     * Every agent the workflow runs directly: its steps, then a parallel workflow's join.
     *
     * @return the agents, in declaration order
     */
    default List<Agent> agents() {
        return steps();
    }

    /**
     * Runs {@code steps} one after another; each step sees the input and the outputs of the steps before it. The
     * workflow's output is the last step's.
     *
     * @param steps the agents, at least one
     * @return the workflow
     */
    static Sequential sequential(Agent... steps) {
        return new Sequential(List.of(steps));
    }

    /**
     * Runs {@code steps} one after another.
     *
     * @param steps the agents, at least one
     * @return the workflow
     * @see #sequential(Agent...)
     */
    static Sequential sequential(List<Agent> steps) {
        return new Sequential(steps);
    }

    /**
     * Runs {@code branches} at the same time, each on the workflow's input. Without a {@link Parallel#join join}
     * the workflow's output is every branch's output, in declaration order.
     *
     * @param branches the agents, at least one, each at most once
     * @return the workflow
     */
    static Parallel parallel(Agent... branches) {
        return new Parallel(List.of(branches), null);
    }

    /**
     * Runs {@code branches} at the same time.
     *
     * @param branches the agents, at least one, each at most once
     * @return the workflow
     * @see #parallel(Agent...)
     */
    static Parallel parallel(List<Agent> branches) {
        return new Parallel(branches, null);
    }

    /**
     * Runs {@code steps} one after another, over and over, until one of them calls the exit tool
     * ({@value #DEFAULT_EXIT_TOOL}) or {@value #DEFAULT_MAX_ITERATIONS} passes have run.
     *
     * @param steps the agents, at least one
     * @return the workflow
     */
    static Loop loop(Agent... steps) {
        return new Loop(List.of(steps), DEFAULT_MAX_ITERATIONS, DEFAULT_EXIT_TOOL);
    }

    /**
     * Runs {@code steps} in a loop.
     *
     * @param steps the agents, at least one
     * @return the workflow
     * @see #loop(Agent...)
     */
    static Loop loop(List<Agent> steps) {
        return new Loop(steps, DEFAULT_MAX_ITERATIONS, DEFAULT_EXIT_TOOL);
    }

    /**
     * Steps run one after another. The output of the workflow is the output of its last step. A failing step
     * ends the workflow with a {@link WorkflowStepException}; the steps after it do not run.
     *
     * @param steps the agents, in order
     */
    record Sequential(List<Agent> steps) implements Workflow {
        /**
         * Creates the workflow.
         *
         * @param steps the agents, in order; at least one
         */
        public Sequential {
            steps = checked(steps, "sequential", false);
        }

        @Override
        public String toString() {
            return "Sequential" + names(steps);
        }
    }

    /**
     * Branches run at the same time on the runner's executor, each on the workflow's input; when all have
     * finished, the {@code join} agent (if any) gets the input and every branch's output, in declaration order
     * whatever order the branches finished in, and its answer is the workflow's output. Without a join, the output
     * is the branches' outputs in declaration order, each in an {@code <output agent="name">} element. When a
     * branch fails, the branches still running are cancelled (interrupted) and the workflow fails with a
     * {@link WorkflowStepException} naming the failed branch; the usage of every branch up to then still counts.
     *
     * @param steps the branches, in declaration order
     * @param join  the agent that combines the branches' outputs, or {@code null}
     */
    record Parallel(List<Agent> steps, Agent join) implements Workflow {
        /**
         * Creates the workflow.
         *
         * @param steps the branches; at least one, each at most once
         * @param join  the agent that combines the branches' outputs, or {@code null} to return them combined
         */
        public Parallel {
            steps = checked(steps, "parallel", true);
            if (join != null && steps.stream().anyMatch(s -> s.name().equals(join.name()))) {
                throw new IllegalArgumentException("the join agent '" + join.name() + "' is also a branch");
            }
        }

        /**
         * The same branches, joined by {@code agent}.
         *
         * @param agent the agent that combines the branches' outputs ({@code null}: none)
         * @return a new workflow
         */
        public Parallel join(Agent agent) {
            return new Parallel(steps, agent);
        }

        /**
         * The join agent, if any.
         *
         * @return the agent that combines the branches' outputs, or empty
         */
        public Optional<Agent> joinAgent() {
            return Optional.ofNullable(join);
        }

        @Override
        public List<Agent> agents() {
            if (join == null) {
                return steps;
            }
            List<Agent> all = new ArrayList<>(steps);
            all.add(join);
            return List.copyOf(all);
        }

        @Override
        public String toString() {
            return "Parallel" + names(steps) + (join == null ? "" : " joined by " + join.name());
        }
    }

    /**
     * Steps run one after another, pass after pass. Every model agent the loop runs (also inside a nested
     * sequential or parallel workflow, not inside a nested loop, which has its own) gets a tool named
     * {@code exitTool}, with an optional {@code reason}; when an agent calls it, that agent's run ends after the
     * tool calls of that turn, the steps after it do not run, and the loop ends with stop reason
     * {@link AgentResult.StopReason#COMPLETED}. After {@code maxIterations} passes without it, the loop ends with
     * {@link AgentResult.StopReason#MAX_ITERATIONS} (not an error). Each step sees the latest output of every step,
     * earlier passes included. The loop's output is the latest non-blank output of the step that ended it (the one
     * that called the exit tool, or the last step of the last pass), from that pass or an earlier one, so a step that
     * ends the loop with a bare call of the exit tool leaves its previous answer as the output; when that step never
     * answered, the latest non-blank output of any step.
     *
     * @param steps         the agents of one pass, in order
     * @param maxIterations the most passes
     * @param exitTool      the name of the tool that ends the loop
     */
    record Loop(List<Agent> steps, int maxIterations, String exitTool) implements Workflow {
        private static final Pattern TOOL_NAME = Pattern.compile("[a-zA-Z0-9_-]{1,64}");

        /**
         * Creates the workflow.
         *
         * @param steps         the agents of one pass, in order; at least one
         * @param maxIterations the most passes, positive
         * @param exitTool      the name of the tool that ends the loop: 1-64 of {@code [a-zA-Z0-9_-]}
         */
        public Loop {
            steps = checked(steps, "loop", false);
            if (maxIterations <= 0) {
                throw new IllegalArgumentException("a loop's maxIterations must be positive, was " + maxIterations);
            }
            Objects.requireNonNull(exitTool, "exitTool");
            if (!TOOL_NAME.matcher(exitTool).matches()) {
                throw new IllegalArgumentException("exit tool name '" + exitTool
                        + "' must be 1-64 characters of [a-zA-Z0-9_-]");
            }
        }

        /**
         * The same loop with another pass limit.
         *
         * @param max the most passes, positive
         * @return a new workflow
         */
        public Loop maxIterations(int max) {
            return new Loop(steps, max, exitTool);
        }

        /**
         * The same loop with another exit tool name (when a step has a tool called {@value #DEFAULT_EXIT_TOOL}
         * of its own).
         *
         * @param name the tool's name
         * @return a new workflow
         */
        public Loop exitTool(String name) {
            return new Loop(steps, maxIterations, name);
        }

        @Override
        public String toString() {
            return "Loop" + names(steps) + " at most " + maxIterations + " passes, exit with " + exitTool;
        }
    }

    private static List<Agent> checked(List<Agent> steps, String kind, boolean unique) {
        List<Agent> copy = List.copyOf(Objects.requireNonNull(steps, "steps"));
        if (copy.isEmpty()) {
            throw new IllegalArgumentException("a " + kind + " workflow needs at least one agent");
        }
        if (unique) {
            Set<String> seen = new HashSet<>();
            for (Agent a : copy) {
                if (!seen.add(a.name())) {
                    throw new IllegalArgumentException("a " + kind + " workflow lists agent '" + a.name() + "' twice");
                }
            }
        }
        return copy;
    }

    private static List<String> names(List<Agent> agents) {
        return agents.stream().map(Agent::name).toList();
    }
}

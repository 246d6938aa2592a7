package dev.keel.agents.team;

import dev.keel.agents.Agent;
import dev.keel.agents.Budget;
import dev.keel.agents.AgentModel;
import dev.keel.agents.ModelPrice;
import dev.keel.agents.Runner;
import dev.keel.agents.approval.Permissions;
import dev.keel.agents.internal.ModelHook;
import dev.keel.core.models.ModelComposer;
import dev.keel.core.models.ModelConfig;
import dev.keel.core.models.ModelSpec;
import dev.keel.core.models.ModelRegistry;
import dev.keel.core.models.ModelResolver;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A loaded team: the root agent (the file's first agent) with its whole graph, every agent by name, the
 * team-level permissions, the prices the file sets ({@code cost}), the schema version it was read as, and
 * warnings about what Keel read but could not act on. Immutable.
 */
public final class Team {
    private final Agent root;
    private final Map<String, Agent> agents;
    private final Permissions permissions;
    private final List<String> warnings;
    private final Map<String, ModelPrice> prices;
    private final int schemaVersion;
    private final java.nio.file.Path workingDirectory;
    private final Map<String, Evaluator> evaluators;
    private final Budget runBudget;
    private final List<NamedBudget> budgets;
    private final List<String> flavors;

    /**
     * A team.
     *
     * @param root          the root agent
     * @param agents        every agent of the file by name, in file order
     * @param permissions   team-level permission patterns
     * @param warnings      {@code file:line: field: note} lines for what Keel read but could not act on
     * @param prices        model prices the file sets, by {@code provider/model}
     * @param schemaVersion    the docker-agent schema version the file was read as
     * @param workingDirectory where the team's tools work (what its runner reports and hooks see as {@code cwd})
     */
    public Team(Agent root, Map<String, Agent> agents, Permissions permissions, List<String> warnings,
                Map<String, ModelPrice> prices, int schemaVersion, java.nio.file.Path workingDirectory) {
        this(root, agents, permissions, warnings, prices, schemaVersion, workingDirectory, Map.of());
    }

    /**
     * A team with evaluators.
     *
     * @param root             the root agent
     * @param agents           every agent of the file by name, in file order
     * @param permissions      team-level permission patterns
     * @param warnings         {@code file:line: field: note} lines for what Keel read but could not act on
     * @param prices           model prices the file sets, by {@code provider/model}
     * @param schemaVersion    the docker-agent schema version the file was read as
     * @param workingDirectory where the team's tools work
     * @param evaluators       the file's {@code evaluators}, by name
     */
    public Team(Agent root, Map<String, Agent> agents, Permissions permissions, List<String> warnings,
                Map<String, ModelPrice> prices, int schemaVersion, java.nio.file.Path workingDirectory,
                Map<String, Evaluator> evaluators) {
        this(root, agents, permissions, warnings, prices, schemaVersion, workingDirectory, evaluators, null, List.of(),
                List.of());
    }

    /**
     * A named budget of a team file (docker-agent's {@code budgets}) and the agents that opt into it.
     *
     * @param name   the budget's name
     * @param budget its limits
     * @param agents the agents charged to it
     */
    public record NamedBudget(String name, Budget budget, java.util.Set<String> agents) {
        /**
         * Copies the agents.
         *
         * @param name   the budget's name
         * @param budget its limits
         * @param agents the agents charged to it
         */
        public NamedBudget {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(budget, "budget");
            agents = java.util.Set.copyOf(agents);
        }
    }

    /** A team as the loader reads it, with the file's budgets and the flavors applied to it. */
    Team(Agent root, Map<String, Agent> agents, Permissions permissions, List<String> warnings,
         Map<String, ModelPrice> prices, int schemaVersion, java.nio.file.Path workingDirectory,
         Map<String, Evaluator> evaluators, Budget runBudget, List<NamedBudget> budgets, List<String> flavors) {
        this.flavors = List.copyOf(flavors);
        this.runBudget = runBudget;
        this.budgets = List.copyOf(budgets);
        this.evaluators = Collections.unmodifiableMap(new LinkedHashMap<>(evaluators));
        this.root = Objects.requireNonNull(root, "root");
        this.agents = Collections.unmodifiableMap(new LinkedHashMap<>(agents));
        this.permissions = Objects.requireNonNull(permissions, "permissions");
        this.warnings = List.copyOf(warnings);
        this.prices = Collections.unmodifiableMap(new LinkedHashMap<>(prices));
        this.schemaVersion = schemaVersion;
        this.workingDirectory = Objects.requireNonNull(workingDirectory, "workingDirectory");
    }

    /**
     * The file's {@code evaluators} (docker-agent's reusable assessments), checked and typed, for evaluation code to
     * run; agents do not run them.
     *
     * @return the evaluators by name, in file order
     */
    public Map<String, Evaluator> evaluators() {
        return evaluators;
    }

    /**
     * The file's run-wide {@code budget}: every run of the team's runner, all agents charged.
     *
     * @return the budget, or empty when the file sets none
     */
    public java.util.Optional<Budget> budget() {
        return java.util.Optional.ofNullable(runBudget);
    }

    /**
     * The file's named {@code budgets} that agents opt into, each with the names of the agents charged to it.
     *
     * @return the budgets, in file order
     */
    public List<NamedBudget> budgets() {
        return budgets;
    }

    /**
     * The file's {@code flavors} that were applied ({@link TeamOptions#withFlavors(String...)}): the requested names
     * the file defines, in the order applied. Requested names the file does not define are not listed.
     *
     * @return the applied flavors, empty when none
     */
    public List<String> flavors() {
        return flavors;
    }

    /**
     * Where the team's tools work ({@link TeamOptions#workingDirectory()} of the load).
     *
     * @return the working directory
     */
    public java.nio.file.Path workingDirectory() {
        return workingDirectory;
    }

    /**
     * The root agent.
     *
     * @return the root agent
     */
    public Agent root() {
        return root;
    }

    /**
     * Every agent of the file by name, in file order.
     *
     * @return every agent of the file by name
     */
    public Map<String, Agent> agents() {
        return agents;
    }

    /**
     * Team-level permission patterns.
     *
     * @return team-level permission patterns
     */
    public Permissions permissions() {
        return permissions;
    }

    /**
     * {@code file:line: field: note} lines for what Keel read but could not act on (unknown fields of a newer
     * schema, features that need something absent here). Empty for a file whose every field Keel acts on.
     *
     * @return the warnings, in file order of discovery
     */
    public List<String> warnings() {
        return warnings;
    }

    /**
     * Model prices the file sets with {@code cost}, by {@code provider/model}; {@link #runner()} applies them.
     *
     * @return model prices by {@code provider/model}
     */
    public Map<String, ModelPrice> prices() {
        return prices;
    }

    /**
     * The docker-agent schema version the file was read as (the latest when it declares none).
     *
     * @return the schema version
     */
    public int schemaVersion() {
        return schemaVersion;
    }

    /**
     * A runner builder for the root with the team's permissions, prices, budgets, agents and working directory; add an
     * approver, and the models to use if not the built-in providers over the process environment:
     *
     * <pre>{@code
     * try (ScriptedModelServer llm = ScriptedModelServer.start();
     *      Runner runner = team.runner().models(llm.models()).build()) { … }
     * }</pre>
     *
     * @return a runner builder
     */
    public Runner.Builder runner() {
        Runner.Builder b = Runner.builder(root).permissions(permissions).agents(agents.values())
                .workingDirectory(workingDirectory);
        prices.forEach(b::price);
        if (runBudget != null) {
            b.budget(Budget.Scope.RUN, runBudget);
        }
        budgets.forEach(n -> b.budget(n.name(), n.budget(), n.agents()));
        return b;
    }

    /**
     * Checks up front what would otherwise fail when a model is first called: every model the team's agents and
     * their model hooks name resolves through the built-in providers over the process environment (known provider
     * or a {@code base_url}, key variable set), and every judge-service evaluator a tool guard asks has its key variable
     * set in the load's environment. Nothing is sent.
     *
     * @throws TeamValidationException listing every agent or model hook (a {@code type: model} hook, an evaluator
     *                                 judged by a chat model) whose model cannot be resolved, and every
     *                                 judge-service evaluator whose key variable is unset, and why
     */
    public void validate() {
        try (ModelRegistry registry = ModelRegistry.defaults()) {
            validate(registry);
        }
    }

    /**
     * Like {@link #validate()}, resolving through {@code models} (for example a registry with your own
     * environment). Models resolved for the check are closed again. Judge-service keys are read where the guards
     * read them: the environment the team was loaded with.
     *
     * @param models the resolver to check against
     * @throws TeamValidationException listing every agent or model hook (a {@code type: model} hook, an evaluator
     *                                 judged by a chat model) whose model cannot be resolved, and every
     *                                 judge-service evaluator whose key variable is unset, and why
     */
    public void validate(ModelResolver models) {
        Map<ModelSpec, List<String>> users = new LinkedHashMap<>();
        for (Agent a : agents.values()) {
            if (a.model() instanceof AgentModel.Configured c) {
                users.computeIfAbsent(c.spec(), k -> new ArrayList<>()).add(a.name());
            }
        }
        for (Agent a : agents.values()) {
            // model hooks and chat-judged evaluators ask their model only when their event comes
            for (dev.keel.agents.hooks.Hooks.Registration r : a.hooks().registrations()) {
                if (r.hook() instanceof ModelHook h) {
                    users.computeIfAbsent(h.model(), k -> new ArrayList<>())
                            .add(a.name() + " (" + r.event().eventName() + " hook)");
                }
            }
        }
        List<String> problems = new ArrayList<>();
        ModelComposer composer = ModelComposer.over(models);
        users.forEach((spec, names) -> {
            for (ModelSpec member : checkedMembers(spec)) {
                try {
                    composer.check(member); // what the first call would read; nothing is resolved or sent
                } catch (RuntimeException e) {
                    problems.add("model '" + member.label() + "' of " + names + ": " + e.getMessage());
                }
            }
        });
        for (Agent a : agents.values()) {
            for (dev.keel.agents.hooks.Hooks.Registration r : a.hooks().registrations()) {
                if (r.hook() instanceof JudgeGuard g) {
                    g.missingKey().ifPresent(key -> problems.add("evaluator '" + g.evaluator().name() + "' of ["
                            + a.name() + "] (" + r.event().eventName() + "): needs the environment variable " + key
                            + ", which is not set"));
                }
            }
        }
        if (!problems.isEmpty()) {
            throw new TeamValidationException(root.name(), problems);
        }
    }

    /**
     * The parts of {@code spec} checked one by one, so that every failing member is reported: the configurations
     * of a fallback, routing or alternates; a first-available choice is one part (it needs one candidate only).
     */
    private static List<ModelSpec> checkedMembers(ModelSpec spec) {
        if (spec instanceof ModelConfig || spec instanceof ModelSpec.FirstAvailable) {
            return List.of(spec);
        }
        List<ModelSpec> members = new ArrayList<>();
        if (spec instanceof ModelSpec.Fallback f) {
            members.add(f.primary());
            members.addAll(f.fallbacks());
        } else if (spec instanceof ModelSpec.Routing r) {
            members.add(r.defaultModel());
            r.routes().forEach(route -> members.add(route.model()));
        } else if (spec instanceof ModelSpec.Alternates a) {
            members.addAll(a.models());
        }
        return members.stream().flatMap(m -> checkedMembers(m).stream()).distinct().toList();
    }

    @Override
    public String toString() {
        return "Team[root=" + root.name() + ", agents=" + agents.keySet() + ", schema v" + schemaVersion
                + (flavors.isEmpty() ? "" : ", flavors=" + flavors)
                + (warnings.isEmpty() ? "" : ", " + warnings.size() + " warnings") + "]";
    }
}

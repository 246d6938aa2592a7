package dev.keel.agents;

import dev.keel.agents.skills.Skill;
import dev.keel.agents.skills.Skills;
import dev.keel.agents.tool.Tool;
import dev.keel.agents.tool.ToolResult;
import dev.keel.agents.tool.Toolset;
import dev.keel.core.KeelException;
import dev.keel.core.tool.JsonSchema;
import dev.keel.core.tool.ToolSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The tools an agent with skills gets: {@code read_skill} (a skill's instructions), {@code read_skill_file} (a
 * supporting file of a skill's folder) and, when a skill runs forked, {@code run_skill} (the skill as an
 * isolated sub-agent whose final answer is returned), and the system prompt section listing the skills.
 */
final class SkillTools {
    static final String READ = "read_skill";
    static final String READ_FILE = "read_skill_file";
    static final String RUN = "run_skill";

    /** Runs a forked skill's agent on a task in a child session; returns what the calling agent sees. */
    @FunctionalInterface
    interface Fork {
        ToolResult run(Agent fork, String task);
    }

    private SkillTools() {}

    /** The system prompt section: each skill's name and description and how to use them; "" without skills. */
    static String prompt(Agent agent) {
        List<Skill> skills = agent.skills().list();
        if (skills.isEmpty()) {
            return "";
        }
        StringBuilder sb = new StringBuilder("You have skills: specialised instructions for particular tasks. When "
                + "a task matches a skill's description, call " + READ + " with its name and follow what it says");
        if (skills.stream().anyMatch(Skill::fork)) {
            sb.append("; skills marked (runs separately) are run with ").append(RUN)
                    .append(" instead, which returns their result");
        }
        sb.append(".\n<available_skills>");
        for (Skill s : skills) {
            sb.append("\n- ").append(s.name()).append(s.fork() ? " (runs separately)" : "").append(": ")
                    .append(s.description().replace('\n', ' '));
        }
        return sb.append("\n</available_skills>").toString();
    }

    /** Adds the skill tools for {@code agent} to {@code tools} (names already taken keep their tool). */
    static void add(Map<String, Tool> tools, Agent agent, Fork fork) {
        Skills skills = agent.skills();
        List<Skill> list = skills.list();
        if (list.isEmpty()) {
            return;
        }
        String[] names = list.stream().map(Skill::name).toArray(String[]::new);
        tools.putIfAbsent(READ, Tool.of(ToolSpec.of(READ, "Read the full instructions of one of your skills.",
                JsonSchema.object().required("name", JsonSchema.enumOf(names).describedAs("The skill's name")).build()),
                true, (args, ctx) -> {
                    String name = args.string("name", "");
                    return skills.find(name).map(s -> read(() -> s.instructions()))
                            .orElseGet(() -> unknown(name, list));
                }));
        tools.putIfAbsent(READ_FILE, Tool.of(ToolSpec.of(READ_FILE,
                "Read a file that belongs to one of your skills (a script, template or reference its instructions "
                        + "mention), by its path relative to the skill's folder.",
                JsonSchema.object()
                        .required("name", JsonSchema.enumOf(names).describedAs("The skill's name"))
                        .required("path", JsonSchema.string("The file's path relative to the skill's folder"))
                        .build()),
                true, (args, ctx) -> {
                    String name = args.string("name", "");
                    String path = args.string("path", "");
                    return skills.find(name).map(s -> read(() -> s.file(path))).orElseGet(() -> unknown(name, list));
                }));
        String[] forked = list.stream().filter(Skill::fork).map(Skill::name).toArray(String[]::new);
        if (forked.length > 0) {
            tools.putIfAbsent(RUN, Tool.of(ToolSpec.of(RUN,
                    "Run one of your skills marked (runs separately) on a task. It works in its own context with your "
                            + "tools and returns its final answer.",
                    JsonSchema.object()
                            .required("name", JsonSchema.enumOf(forked).describedAs("The skill's name"))
                            .required("task", JsonSchema.string("What the skill should do, with everything it needs"))
                            .build()),
                    true, (args, ctx) -> {
                        String name = args.string("name", "");
                        Skill skill = skills.find(name).filter(Skill::fork).orElse(null);
                        if (skill == null) {
                            return ToolResult.error("no skill '" + name + "' runs separately; choose one of "
                                    + List.of(forked));
                        }
                        return run(agent, skills, skill, args.string("task", ""), fork);
                    }));
        }
    }

    private static ToolResult read(java.util.function.Supplier<String> text) {
        try {
            return ToolResult.ok(text.get());
        } catch (KeelException e) {
            return ToolResult.error(e.getMessage());
        }
    }

    private static ToolResult unknown(String name, List<Skill> list) {
        return ToolResult.error("unknown skill '" + name + "'; choose one of " + list.stream().map(Skill::name).toList());
    }

    private static ToolResult run(Agent parent, Skills skills, Skill skill, String task, Fork fork) {
        String instructions;
        AgentModel model;
        List<Toolset> extra;
        try {
            instructions = skill.instructions();
            model = skills.model(skill).orElse(parent.model());
            extra = skills.toolsets(skill);
        } catch (RuntimeException e) {
            return ToolResult.error("skill '" + skill.name() + "' cannot run: " + e.getMessage());
        }
        try {
            // the reusable toolsets stay owned by whoever resolved them (a team's are shared with its agents)
            Agent agent = Agent.builder(skill.name())
                    .description(skill.description())
                    .instruction(instructions)
                    .model(model)
                    .toolsets(toolsets(parent, skill, extra))
                    .maxIterations(parent.maxIterations())
                    .permissions(parent.permissions())
                    .hooks(parent.hooks())
                    .redactSecrets(parent.redactSecrets())
                    .safety(parent.safety().orElse(null))
                    .maxConsecutiveToolCalls(parent.maxConsecutiveToolCalls())
                    .maxToolResultTokens(parent.maxToolResultTokens())
                    .addDate(parent.addDate())
                    .addEnvironmentInfo(parent.addEnvironmentInfo())
                    .build();
            return fork.run(agent, task);
        } catch (IllegalArgumentException e) {
            return ToolResult.error("skill '" + skill.name() + "' cannot run: " + e.getMessage());
        }
    }

    /**
     * The forked skill's toolsets: its agent's (only the tools {@code allowed-tools} lists, when it lists any of
     * them) and the reusable toolsets it asks for.
     */
    private static List<Toolset> toolsets(Agent parent, Skill skill, List<Toolset> extra) {
        List<Toolset> out = new ArrayList<>();
        List<java.util.regex.Pattern> allowed = skill.allowedTools().stream().map(SkillTools::glob).toList();
        java.util.function.Predicate<Tool> listed = tool -> allowed.stream()
                .anyMatch(p -> p.matcher(tool.spec().name()).matches());
        boolean restrict = !allowed.isEmpty() && parent.toolsets().stream().anyMatch(t -> t.tools().stream().anyMatch(listed));
        for (Toolset t : parent.toolsets()) {
            if (!restrict) {
                out.add(t);
                continue;
            }
            List<Tool> kept = t.tools().stream().filter(listed).toList();
            if (!kept.isEmpty()) {
                out.add(Toolset.of(t.name(), kept.toArray(Tool[]::new)));
            }
        }
        out.addAll(extra);
        return out;
    }

    /** An {@code allowed-tools} entry: {@code *} matches any run of characters, everything else itself. */
    private static java.util.regex.Pattern glob(String entry) {
        StringBuilder re = new StringBuilder();
        for (String part : entry.split("\\*", -1)) {
            if (re.length() > 0 || entry.startsWith("*")) {
                re.append(".*");
            }
            re.append(java.util.regex.Pattern.quote(part));
        }
        return java.util.regex.Pattern.compile(re.toString());
    }
}

package dev.keel.agents;

import dev.keel.agents.tool.Toolset;
import java.time.LocalDate;

/**
 * Builds an agent's system prompt: its instruction, each toolset's guidance, the team it leads or can hand
 * off to, and optionally the date and environment. Stateless.
 */
final class SystemPrompt {
    private SystemPrompt() {}

    static String of(Agent agent, RunSettings settings, java.util.function.Function<String, Agent> byName) {
        StringBuilder sb = new StringBuilder(agent.instruction());
        for (Toolset t : agent.toolsets()) {
            String extra = t.instructions();
            if (!extra.isBlank()) {
                sb.append("\n\n").append(extra.strip());
            }
        }
        String skills = SkillTools.prompt(agent);
        if (!skills.isEmpty()) {
            sb.append("\n\n").append(skills);
        }
        if (!agent.subAgents().isEmpty()) {
            sb.append("\n\nYou lead a team. Delegate tasks with the transfer_task tool to one of these agents:");
            agent.subAgents().forEach(a -> sb.append("\n- ").append(a.name()).append(": ").append(a.description()));
        }
        if (!agent.handoffTargets().isEmpty()) {
            sb.append("\n\nYou can hand the conversation over with the handoff tool to one of these agents:");
            for (String name : agent.handoffTargets()) {
                Agent a = agent.handoffs().stream().filter(h -> h.name().equals(name)).findFirst()
                        .orElseGet(() -> byName.apply(name));
                sb.append("\n- ").append(name).append(": ").append(a == null ? "" : a.description());
            }
        }
        if (agent.addDate()) {
            sb.append("\n\nToday's date: ").append(LocalDate.now(settings.clock()));
        }
        if (agent.addEnvironmentInfo()) {
            sb.append("\n\nEnvironment:\n- working directory: ").append(settings.workingDirectory())
                    .append("\n- operating system: ").append(System.getProperty("os.name"));
        }
        return sb.toString().strip();
    }
}

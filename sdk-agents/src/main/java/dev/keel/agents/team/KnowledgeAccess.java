package dev.keel.agents.team;

import dev.keel.agents.tool.ToolContext;
import dev.keel.rag.knowledge.KnowledgeFilter;

/**
 * Decides, per request, what a team's knowledge base ({@code rag:}) may show the asking user: given the
 * knowledge base's name and the calling tool's context (agent, session, session state — where a host keeps
 * who is asking), it returns the filter the search applies, for example a fail-closed permission check with
 * sdk-authz's {@code PostFilter}:
 *
 * <pre>{@code
 * KnowledgeAccess access = (kb, ctx) -> found -> readable.keep(found,
 *         SubjectRef.of("user", ((JsonString) ctx.state().get("user")).value()));
 * Team team = Teams.load(file, TeamOptions.defaults(dir)
 *         .withServices(TeamServices.builder().knowledgeAccess(access).build()));
 * }</pre>
 *
 * Needs {@code dev.keel:sdk-rag} on the class or module path. A filter that throws fails the search (the model
 * sees a tool error), so permission filters fail closed. Implementations must be thread-safe.
 */
@FunctionalInterface
public interface KnowledgeAccess {

    /**
     * The filter for one search.
     *
     * @param knowledgeBase the {@code rag:} entry's name
     * @param context       the calling agent and its session
     * @return the filter to apply; never null
     */
    KnowledgeFilter filter(String knowledgeBase, ToolContext context);
}

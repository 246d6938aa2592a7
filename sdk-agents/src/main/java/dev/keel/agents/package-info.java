/**
 * Keel agents: {@link dev.keel.agents.Agent} definitions, the {@link dev.keel.agents.Runner} that runs
 * them over a {@link dev.keel.agents.Session}, and the {@link dev.keel.agents.AgentEvent} stream. Toolsets
 * live in {@code dev.keel.agents.toolsets} and {@code dev.keel.agents.mcp}, team files in
 * {@code dev.keel.agents.team}.
 */
package dev.keel.agents;

/**
 * Built-in toolsets with cagent's tool names and parameters: think, todo, memory, filesystem, shell,
 * script and fetch. Create them with {@link dev.keel.agents.toolsets.Toolsets}.
 */
package dev.keel.agents.toolsets;

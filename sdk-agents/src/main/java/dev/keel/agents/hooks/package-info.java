/**
 * Hooks: code that runs at fixed points of an agent run — before and after each tool call, at every model
 * call, when a session starts or ends, when the conversation moves between agents — and may block, approve,
 * rewrite or add context, with docker-agent's events and JSON shapes. {@link dev.keel.agents.hooks.Hooks}
 * registers Java hooks for a runner or an agent; team files' {@code hooks:} become the same registrations
 * ({@link dev.keel.agents.hooks.CommandHook} for {@code type: command}).
 */
package dev.keel.agents.hooks;
